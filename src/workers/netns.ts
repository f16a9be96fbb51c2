// Moves the calling thread into the health-check network namespace (/var/run/netns/<name>).
// Only this thread moves: sockets its event loop creates afterwards live in the namespace.
// Enter first, then create sockets or agents; and have the main thread warm libuv's
// threadpool first (src/checker/threadpool-warmup.ts), or the whole pool follows this thread.

import { errorMessage } from '../shared/errors.js';
import { loadNative } from '../shared/native.js';

export type NetnsResult = { readonly ok: true } | { readonly ok: false; readonly code: 'NETNS'; readonly detail: string };

/** The path `ip netns` uses for a named namespace. */
export function netnsPath(name: string): string {
  return `/var/run/netns/${name}`;
}

/** setns(CLONE_NEWNET) on the calling thread; failures as a record (detail: `enter netns "<name>": <strerror>`). */
export function enterNetns(name: string): NetnsResult {
  try {
    loadNative().setnsNet(netnsPath(name));
    return { ok: true };
  } catch (e) {
    return { ok: false, code: 'NETNS', detail: `enter netns "${name}": ${errorMessage(e)}` };
  }
}
