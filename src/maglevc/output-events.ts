// `watch events` lines for people: a snapshot entry (from == to, sent once per backend and
// frontend when the stream opens) is the current state, not a transition; times are RFC 3339 like
// the other maglevc output. Pure: one Event in, one line out. `watch events json` keeps protojson.

import type { Event, TransitionRecord } from '../api/maglev-messages.js';
import { isoTime, kvLine, label, nsToMs, red, type Style } from './output-style.js';

function timeText(ns: string): string {
  const ms = nsToMs(ns);
  return ms === undefined ? '-' : isoTime(ms);
}

/** ` (code detail)` of a transition, '' when it has neither (frontends). */
function reasonText(tr: TransitionRecord): string {
  const reason = [tr.code, tr.detail].filter((x) => x !== '').join(' ');
  return reason === '' ? '' : ` (${reason})`;
}

/**
 * `backend b state up since <time> (L7OK HTTP 200)` for a snapshot entry: `since` only when the
 * entry carries the transition that led there (backends that had one; a frontend's entry is
 * stamped with the time of the snapshot, which says nothing). A transition:
 * `<time> backend b up -> down (L4TOUT timeout after 1s)`.
 */
function transitionLine(style: Style, kind: 'backend' | 'frontend', name: string, tr: TransitionRecord): string {
  if (tr.from === tr.to) {
    const since = tr.code === '' ? [] : ([['since', timeText(tr.at_unix_ns)]] as const);
    return kvLine(style, [[kind, name], ['state', tr.to], ...since]) + reasonText(tr);
  }
  return `${timeText(tr.at_unix_ns)} ${label(style, kind)} ${name} ${tr.from} -> ${tr.to}${reasonText(tr)}`;
}

/** A log value as logfmt does: quoted when it has spaces, quotes or '='. */
function logValue(v: string): string {
  return v === '' || /[\s"=]/.test(v) ? JSON.stringify(v) : v;
}

/** One event as a line; undefined for an event kind this maglevc does not know (newer server). */
export function formatEvent(style: Style, ev: Event): string | undefined {
  if (ev.backend !== undefined && ev.backend !== null && ev.backend.transition !== null) {
    return transitionLine(style, 'backend', ev.backend.backend_name, ev.backend.transition);
  }
  if (ev.frontend !== undefined && ev.frontend !== null && ev.frontend.transition !== null) {
    return transitionLine(style, 'frontend', ev.frontend.frontend_name, ev.frontend.transition);
  }
  if (ev.log !== undefined && ev.log !== null) {
    const l = ev.log;
    const level = l.level === 'error' ? red(style, l.level) : l.level;
    const attrs = l.attrs.map((a) => `${label(style, a.key)}=${logValue(a.value)}`);
    return [timeText(l.at_unix_ns), level, l.msg, ...attrs].join(' ');
  }
  return undefined;
}
