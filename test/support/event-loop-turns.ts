// Test helper (not a test): counts the turns of the event loop (setImmediate callbacks) while
// some work runs, to show that the work yields rather than holding the main thread.

/** Starts counting; stop() ends it and answers the turns seen. */
export function countEventLoopTurns(): { stop(): number } {
  let turns = 0;
  let spinning = true;
  const spin = (): void => {
    turns++;
    if (spinning) setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop: () => {
      spinning = false;
      return turns;
    },
  };
}
