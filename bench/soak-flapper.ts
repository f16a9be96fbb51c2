// Keeps the soak's fleet flapping through the fleet's HTTP control endpoint: every round, the
// backends taken down last round come back up and a fresh random `percent` of the fleet goes
// down, so about 2 × percent of the backends transition per round at a steady rate. It also
// remembers which backends it took down, for the final convergence check.

export interface Flapper {
  /** Runs one round (the caller schedules rounds); resolves when the fleet answered. */
  round(): Promise<void>;
  /** Addresses currently set `down` on the fleet. */
  readonly down: ReadonlySet<string>;
  readonly rounds: number;
  /** Control requests sent so far. */
  readonly requests: number;
}

/** mulberry32: a small seeded PRNG, so a run's flapping pattern can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `k` distinct random picks from `items` (partial Fisher-Yates on a copy). */
export function pick<T>(items: readonly T[], k: number, random: () => number): T[] {
  const a = [...items];
  const n = Math.min(k, a.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (a.length - i));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a.slice(0, n);
}

export function createFlapper(controlUrl: string, addresses: readonly string[], percent: number, random: () => number): Flapper {
  const down = new Set<string>();
  const k = Math.round((addresses.length * percent) / 100);
  let rounds = 0;
  let requests = 0;

  /** Idempotent, so retried: a kept-alive connection the fleet closes as we reuse it resets. */
  const put = async (address: string, kind: 'up' | 'down'): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      requests++;
      try {
        const res = await fetch(`${controlUrl}/backends/${address}`, { method: 'PUT', body: JSON.stringify({ kind }), signal: AbortSignal.timeout(30_000) });
        const text = await res.text();
        if (!res.ok) throw new Error(`fleet control: PUT ${address} ${kind} → ${res.status} ${text}`);
        return;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      }
    }
  };

  /** At most `width` requests in flight: the fleet and maglevd share two cores with us. */
  const apply = async (changes: [string, 'up' | 'down'][], width = 16): Promise<void> => {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(width, changes.length) }, async () => {
        while (next < changes.length) {
          const [address, kind] = changes[next++] as [string, 'up' | 'down'];
          await put(address, kind);
          if (kind === 'down') down.add(address);
          else down.delete(address);
        }
      }),
    );
  };

  return {
    async round() {
      const fresh = new Set(pick(addresses, k, random));
      const changes: [string, 'up' | 'down'][] = [];
      for (const a of down) if (!fresh.has(a)) changes.push([a, 'up']);
      for (const a of fresh) if (!down.has(a)) changes.push([a, 'down']);
      await apply(changes);
      rounds++;
    },
    down,
    get rounds() {
      return rounds;
    },
    get requests() {
      return requests;
    },
  };
}
