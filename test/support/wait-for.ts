// Test helper: polls a condition until it holds or a deadline passes (for effects that land on
// the other end of a socket a moment after the probe result).

export async function waitFor(cond: () => boolean, timeoutMs = 2000, stepMs = 5): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return true;
}
