// The seam between the reconciler (the only VPP writer) and whatever may hold its writes back:
// the startup warmup (warmup.ts). The reconciler asks the gate before every write; the gate
// tells the reconciler, through a GateRunner, when to sync a released frontend and when it has
// opened for good. Owned here, by the consumer side, so the warmup depends on it and not the
// reverse.

import type { BackendTransitionEvent } from '../checker/events.js';

/** What a gate may ask of the reconciler. */
export interface GateRunner {
  /** Sync one frontend the gate has just released; settles when that run finishes. */
  syncVip(frontend: string): Promise<void>;
  /** The gate is open for every write from now on; fullSync → run SyncLBStateAll now. */
  opened(fullSync: boolean): void;
  /** Send lb_conf alone, now (a fresh VPP has none until the first full sync). */
  syncConf?(): Promise<void>;
}

export interface SyncGate {
  /** Called once by the reconciler that consults this gate. */
  attach(runner: GateRunner): void;
  /** True once writes of every kind are allowed (periodic, full, RPC). Never closes again. */
  isOpen(): boolean;
  /** True when a VIP sync of this frontend may write (open, or the frontend was released). */
  allowsVip(frontend: string): boolean;
  /** Asked, while the gate is closed, for each frontend a backend transition affects: true → sync its VIP now. */
  admitEvent(frontend: string, ev: BackendTransitionEvent): boolean;
  /** VPP (re)connected / disconnected, while the gate is still closed. */
  onConnect(): void;
  onDisconnect(): void;
}

/** A gate that never holds anything back: VPP writes start at the first connect. */
export function createOpenGate(): SyncGate {
  return {
    attach: () => {},
    isOpen: () => true,
    allowsVip: () => true,
    admitEvent: () => true,
    onConnect: () => {},
    onDisconnect: () => {},
  };
}
