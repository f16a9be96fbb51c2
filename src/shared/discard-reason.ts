// Why a probe result was discarded instead of recorded. A discarded result is "no observation":
// it never moves a backend's rise/fall counter (behaviour.md §3.6 stall guard, extended here to
// the prober's own shortages), so the checker cannot drain healthy backends because of its own
// trouble (docs/security.md §6). Pure; shared by the probers (worker threads) and the checker.

/** An errno that says the prober's host is short of something, not that the backend failed. */
export type LocalShortage = 'EMFILE' | 'ENFILE' | 'ENOBUFS' | 'ENOMEM' | 'EADDRNOTAVAIL' | 'EADDRINUSE';

/**
 * - a LocalShortage: the probe could not even be tried;
 * - `shard-lost`: the probe shard died twice with this probe in flight;
 * - `stall`: a timeout taken while the prober's event loop was stalled for half the timeout.
 */
export type DiscardReason = LocalShortage | 'shard-lost' | 'stall';

export const discardReasons: readonly DiscardReason[] = ['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EADDRINUSE', 'shard-lost', 'stall'];

const alwaysLocal = new Set<string>(['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRINUSE']);

/**
 * The shortage an error code names, given the syscall that failed; undefined when the error is
 * the backend's (or a lasting misconfiguration that must fail probes, as upstream does).
 * EADDRNOTAVAIL from connect means no ephemeral port was free; from bind it means the configured
 * probe source address is not on this host, which is a config error and stays a failure.
 * EADDRINUSE can only be our own ports (we bind port 0): the source address ran out of them.
 */
export function localShortage(code: string, syscall: string | undefined): LocalShortage | undefined {
  if (alwaysLocal.has(code)) return code as LocalShortage;
  if (code === 'EADDRNOTAVAIL' && syscall !== 'bind') return 'EADDRNOTAVAIL';
  return undefined;
}
