// The maglev-fleet command: flags, the ready line, serving until a signal.

import t from 'tap';
import { EventEmitter } from 'node:events';
import { main } from '../../src/fleet/fleet-main.js';
import { until } from '../support/wait-for.js';

/** Runs main with captured stdout/stderr; `signals` lets the test stop it. */
function run(argv: string[]): { done: Promise<number>; out: () => string; err: () => string; signals: EventEmitter } {
  let out = '';
  let err = '';
  const signals = new EventEmitter();
  const done = main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, signals });
  return { done, out: () => out, err: () => err, signals };
}

t.test('serves until SIGTERM', async (t) => {
  const r = run(['--count', '3', '--first', '127.11.0.1', '--http-port', '0', '--https-port', '0', '--control-port', '0']);
  await until(() => r.out().includes('\n'), 'the fleet-ready line', 10_000);
  const ready = JSON.parse(r.out()) as { msg: string; count: number; first: string; httpPort: number; controlPort: number };
  t.match(ready, { msg: 'fleet-ready', count: 3, first: '127.11.0.1' });
  const res = await fetch(`http://127.0.0.1:${ready.controlPort}/counts`);
  t.same(await res.json(), { '127.11.0.1': 0, '127.11.0.2': 0, '127.11.0.3': 0 });
  r.signals.emit('SIGTERM');
  t.equal(await r.done, 0);
});

t.test('--agent-port runs an agent per backend', async (t) => {
  const r = run(['--count', '2', '--first', '127.11.1.1', '--http-port', '0', '--control-port', '0', '--agent-port', '0']);
  await until(() => r.out().includes('\n'), 'the fleet-ready line', 10_000);
  const ready = JSON.parse(r.out()) as { agentPort: number; controlPort: number };
  t.ok(ready.agentPort > 0);
  const res = await fetch(`http://127.0.0.1:${ready.controlPort}/agents`);
  t.same(await res.json(), { '127.11.1.1': 'up', '127.11.1.2': 'up' });
  r.signals.emit('SIGTERM');
  t.equal(await r.done, 0);
});

t.test('bad flags', async (t) => {
  const cases = [
    { argv: ['--nope'], code: 2, err: /Unknown option/ },
    { argv: ['--count', 'x'], code: 1, err: /--count must be/ },
    { argv: ['--http-port', '70000'], code: 1, err: /--http-port must be a port/ },
    { argv: ['--first', '10.0.0.1'], code: 1, err: /not an IPv4 loopback/ },
  ];
  for (const c of cases) {
    const r = run(c.argv);
    t.equal(await r.done, c.code, c.argv.join(' '));
    t.match(r.err(), c.err);
  }
  const help = run(['--help']);
  t.equal(await help.done, 0);
  t.match(help.out(), /^usage: maglev-fleet/);
  const short = run(['-h']);
  t.equal(await short.done, 0);
  t.match(short.out(), /^usage: maglev-fleet/);
});
