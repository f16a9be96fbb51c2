// errno (+ syscall) → the prober's own shortage or not, table-driven.

import t from 'tap';
import { discardReasons, localShortage } from '../../src/shared/discard-reason.js';

t.test('local shortages', (t) => {
  const cases = [
    { name: 'out of descriptors (process)', in: ['EMFILE', 'connect'], want: 'EMFILE' },
    { name: 'out of descriptors (process), socket()', in: ['EMFILE', 'socket'], want: 'EMFILE' },
    { name: 'out of descriptors (system)', in: ['ENFILE', 'connect'], want: 'ENFILE' },
    { name: 'no buffer space', in: ['ENOBUFS', 'sendto'], want: 'ENOBUFS' },
    { name: 'no memory', in: ['ENOMEM', undefined], want: 'ENOMEM' },
    { name: 'no ephemeral port at connect', in: ['EADDRNOTAVAIL', 'connect'], want: 'EADDRNOTAVAIL' },
    { name: 'no ephemeral port, syscall unknown', in: ['EADDRNOTAVAIL', undefined], want: 'EADDRNOTAVAIL' },
    { name: 'source address without free ports', in: ['EADDRINUSE', 'bind'], want: 'EADDRINUSE' },
    { name: 'source address not on this host: a config error', in: ['EADDRNOTAVAIL', 'bind'], want: undefined },
    { name: 'refused: the backend', in: ['ECONNREFUSED', 'connect'], want: undefined },
    { name: 'unreachable: the path', in: ['EHOSTUNREACH', 'connect'], want: undefined },
    { name: 'no permission: a lasting setup error', in: ['EPERM', 'socket'], want: undefined },
    { name: 'reset: the backend', in: ['ECONNRESET', 'read'], want: undefined },
    { name: 'not an errno', in: ['timeout', undefined], want: undefined },
  ] as const;
  for (const c of cases) t.equal(localShortage(c.in[0], c.in[1]), c.want, c.name);
  t.end();
});

t.test('every shortage is a discard reason', (t) => {
  for (const code of ['EMFILE', 'ENFILE', 'ENOBUFS', 'ENOMEM', 'EADDRNOTAVAIL', 'EADDRINUSE']) {
    const s = localShortage(code, 'connect');
    t.ok(s !== undefined && discardReasons.includes(s), code);
  }
  t.end();
});
