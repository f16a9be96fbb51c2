// What the dashboard does with each WatchEvents message of a maglevd: transitions update
// the scope, probe-start/done become heartbeat `probe` events, vpp-api-send/recv become `vpp-api`
// flashes, vpp-connect/disconnect become `vpp` events, config-reload triggers a refetch,
// sync-done triggers an lb-state read, and every other record is an admin `log` line. Pure.

import type { Event, LogEvent, TransitionRecord } from '../api/maglev-messages.js';

export type WatchAction =
  /** Includes the subscribe-time snapshot entries (from == to). */
  | { readonly kind: 'backend'; readonly backend: string; readonly transition: TransitionRecord }
  | { readonly kind: 'frontend'; readonly frontend: string; readonly transition: TransitionRecord }
  | { readonly kind: 'probe'; readonly backend: string; readonly phase: 'start' | 'done'; readonly ok: boolean; readonly code: string }
  | { readonly kind: 'vpp-api'; readonly direction: 'send' | 'recv' }
  | { readonly kind: 'vpp'; readonly connected: boolean; readonly detail: string }
  /** The config was reloaded: refetch everything. */
  | { readonly kind: 'refetch' }
  /** VPP's lb state may have changed: read it (debounced). */
  | { readonly kind: 'lb-changed' }
  | { readonly kind: 'log'; readonly record: LogEvent };

function attr(rec: LogEvent, key: string): string {
  return rec.attrs.find((a) => a.key === key)?.value ?? '';
}

/** Records represented by their own event types; too frequent for the admin log. */
const quietRecords = new Set(['probe-start', 'probe-done', 'probe-discarded', 'vpp-api-send', 'vpp-api-recv', 'vpp-api-send-multi', 'vpp-api-recv-multi']);

function logActions(rec: LogEvent): WatchAction[] {
  const out: WatchAction[] = [];
  switch (rec.msg) {
    case 'probe-start':
      out.push({ kind: 'probe', backend: attr(rec, 'backend'), phase: 'start', ok: false, code: '' });
      break;
    case 'probe-done':
      out.push({ kind: 'probe', backend: attr(rec, 'backend'), phase: 'done', ok: attr(rec, 'ok') === 'true', code: attr(rec, 'code') });
      break;
    case 'probe-discarded':
      out.push({ kind: 'probe', backend: attr(rec, 'backend'), phase: 'done', ok: false, code: attr(rec, 'code') });
      break;
    case 'vpp-api-send':
    case 'vpp-api-send-multi':
      out.push({ kind: 'vpp-api', direction: 'send' });
      break;
    case 'vpp-api-recv':
    case 'vpp-api-recv-multi':
      out.push({ kind: 'vpp-api', direction: 'recv' });
      break;
    case 'vpp-connect':
      out.push({ kind: 'vpp', connected: true, detail: attr(rec, 'version') }, { kind: 'lb-changed' });
      break;
    case 'vpp-disconnect':
      out.push({ kind: 'vpp', connected: false, detail: attr(rec, 'reason') });
      break;
    case 'config-reload':
      out.push({ kind: 'refetch' });
      break;
    case 'vpp-lb-sync-done':
      out.push({ kind: 'lb-changed' });
      break;
    default:
      break;
  }
  if (!quietRecords.has(rec.msg)) out.push({ kind: 'log', record: rec });
  return out;
}

export function watchActions(ev: Event): WatchAction[] {
  const { backend, frontend, log } = ev;
  if (backend?.transition) return [{ kind: 'backend', backend: backend.backend_name, transition: backend.transition }];
  if (frontend?.transition) return [{ kind: 'frontend', frontend: frontend.frontend_name, transition: frontend.transition }];
  if (log) return logActions(log);
  return [];
}
