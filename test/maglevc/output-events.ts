// `watch events` lines: snapshot entries as states, transitions and log records with RFC 3339
// times, colour on and off, and no line for an event kind this maglevc does not know.

import t from 'tap';
import type { Event } from '../../src/api/maglev-messages.js';
import { formatEvent } from '../../src/maglevc/output-events.js';

const at = '1776002862123000000'; // 2026-04-12T14:07:42.123Z
const tr = (from: string, to: string, code = '', detail = '', atNs = at) => ({ from, to, at_unix_ns: atNs, code, detail });
const plain = { color: false };

void t.test('formatEvent', (t) => {
  const cases: Array<{ name: string; in: Event; want: string | undefined }> = [
    {
      name: 'backend snapshot with its last transition',
      in: { backend: { backend_name: 'web-1', transition: tr('up', 'up', 'L7OK', 'HTTP 200') } },
      want: 'backend web-1 state up since 2026-04-12T14:07:42.123Z (L7OK HTTP 200)',
    },
    { name: 'backend snapshot without a transition', in: { backend: { backend_name: 'web-1', transition: tr('unknown', 'unknown') } }, want: 'backend web-1 state unknown' },
    { name: 'frontend snapshot (stamped now: no since)', in: { frontend: { frontend_name: 'web', transition: tr('up', 'up') } }, want: 'frontend web state up' },
    {
      name: 'backend transition',
      in: { backend: { backend_name: 'web-1', transition: tr('up', 'down', 'L4TOUT', 'timeout after 1s') } },
      want: '2026-04-12T14:07:42.123Z backend web-1 up -> down (L4TOUT timeout after 1s)',
    },
    { name: 'operator transition without detail', in: { backend: { backend_name: 'b', transition: tr('up', 'paused', 'paused') } }, want: '2026-04-12T14:07:42.123Z backend b up -> paused (paused)' },
    { name: 'frontend transition', in: { frontend: { frontend_name: 'web', transition: tr('up', 'down') } }, want: '2026-04-12T14:07:42.123Z frontend web up -> down' },
    { name: 'no time', in: { frontend: { frontend_name: 'web', transition: tr('down', 'up', '', '', '0') } }, want: '- frontend web down -> up' },
    {
      name: 'log record, logfmt values',
      in: { log: { at_unix_ns: at, level: 'warn', msg: 'probe-discarded', attrs: [{ key: 'backend', value: 'b' }, { key: 'reason', value: 'no fd' }, { key: 'q', value: 'a"b' }, { key: 'e', value: '' }, { key: 'kv', value: 'a=b' }] } },
      want: '2026-04-12T14:07:42.123Z warn probe-discarded backend=b reason="no fd" q="a\\"b" e="" kv="a=b"',
    },
    { name: 'log record without attributes', in: { log: { at_unix_ns: at, level: 'info', msg: 'vpp-connect', attrs: [] } }, want: '2026-04-12T14:07:42.123Z info vpp-connect' },
    { name: 'an unknown kind', in: {}, want: undefined },
    { name: 'a transition-less entry', in: { backend: { backend_name: 'b', transition: null } }, want: undefined },
  ];
  for (const c of cases) t.equal(formatEvent(plain, c.in), c.want, c.name);
  t.end();
});

void t.test('colour: labels blue, the error level red', (t) => {
  const color = { color: true };
  t.equal(formatEvent(color, { frontend: { frontend_name: 'web', transition: tr('up', 'up') } }), '\x1b[34mfrontend\x1b[0m web \x1b[34mstate\x1b[0m up');
  t.equal(formatEvent(color, { log: { at_unix_ns: at, level: 'error', msg: 'x', attrs: [{ key: 'k', value: 'v' }] } }), '2026-04-12T14:07:42.123Z \x1b[31merror\x1b[0m x \x1b[34mk\x1b[0m=v');
  t.end();
});
