// maglev-demo: --help, a clear error on a port clash, the admin hint, and the printed failover
// recipe run as printed (its curl commands against the fleet) until web's fallback pool serves
// the VIP. Runs the built binaries (npm run build).

import t from 'tap';
import { EventEmitter } from 'node:events';
import { createServer, type Server } from 'node:net';
import { demoRecipe, main } from '../../src/demo/demo-main.js';
import { MaglevClient } from '../../src/api/maglev-client.js';
import { until } from '../support/wait-for.js';

function run(argv: string[], env: Record<string, string | undefined> = process.env): { done: Promise<number>; out: () => string; err: () => string; signals: EventEmitter } {
  let out = '';
  let err = '';
  const signals = new EventEmitter();
  const done = main(argv, { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) }, signals, env });
  return { done, out: () => out, err: () => err, signals };
}

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port }, () => resolve(s));
  });
}

/** Whether every port in [from, to] but `except` can be bound right now. */
async function allFree(from: number, to: number, except: number): Promise<boolean> {
  for (let p = from; p <= to; p++) {
    if (p === except) continue;
    const s = await listenOn(p).catch(() => undefined);
    if (s === undefined) return false;
    await new Promise((r) => s.close(r));
  }
  return true;
}

/**
 * Holds an ephemeral port whose `below` ports under it and `above` over it are free right now:
 * the demo checks its ports in order, so a neighbour another test happens to hold would be
 * named (or taken) instead.
 */
async function holdIsolatedPort(below: number, above: number): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const s = await listenOn(0);
    const port = (s.address() as { port: number }).port;
    if ((await allFree(port - below, port + above, port)) || attempt === 20) return s;
    await new Promise((r) => s.close(r));
  }
}

/** A base port whose 10 ports are all free right now (each checked by binding it). */
async function freeBase(): Promise<number> {
  const s = await holdIsolatedPort(0, 9);
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return Math.min(port, 65000);
}

t.test('--help and -h print the usage, with the admin variables', async (t) => {
  for (const flag of ['--help', '-h']) {
    const r = run([flag]);
    t.equal(await r.done, 0, flag);
    t.match(r.out(), /^usage: maglev-demo \[--base-port 9090\]/);
    t.match(r.out(), /P\+9 fleet control/);
    t.match(r.out(), /MAGLEV_FRONTEND_USER and MAGLEV_FRONTEND_PASSWORD/);
    t.equal(r.err(), '');
  }
  const bad = run(['--nope']);
  t.equal(await bad.done, 2);
  t.match(bad.err(), /Unknown option '--nope'[\s\S]*usage: maglev-demo/);
});

t.test('a taken port names itself and --base-port, before anything starts', async (t) => {
  const holder = await holdIsolatedPort(9, 9);
  const held = (holder.address() as { port: number }).port;
  t.teardown(() => new Promise((r) => holder.close(r)));
  const cases = [
    { name: 'gRPC port', base: held, role: 'grpc' },
    { name: 'metrics port', base: held - 1, role: 'metrics' },
    { name: 'fleet control port', base: held - 9, role: 'fleetControl' },
  ];
  for (const c of cases) {
    if (c.base < 1024 || c.base > 65000) continue;
    const r = run(['--base-port', String(c.base)]);
    t.equal(await r.done, 1, c.name);
    t.match(r.err(), `127.0.0.1:${held} (${c.role}, --base-port ${c.base}) is not free: EADDRINUSE`, c.name);
    t.match(r.err(), /choose other ports with --base-port N/, c.name);
    t.equal(r.out(), '', `${c.name}: nothing started`);
  }
});

t.test('the recipe shows how to enable the admin page, or where it is', async (t) => {
  const common = { grpcAddr: 'g', metricsAddr: 'm', fleetControl: 9099, api: 'a', stats: 's' };
  const cases = [
    { name: 'admin off', in: { ...common, dashAddr: '127.0.0.1:9092', adminUser: undefined }, want: /admin page: +off; to enable it, start the demo with MAGLEV_FRONTEND_USER=admin MAGLEV_FRONTEND_PASSWORD=/ },
    { name: 'admin on', in: { ...common, dashAddr: '127.0.0.1:9092', adminUser: 'ops' }, want: /admin page: +http:\/\/127\.0\.0\.1:9092\/admin\/ \(user ops\)/ },
    { name: 'no dashboard', in: { ...common, dashAddr: undefined, adminUser: 'ops' }, want: /dashboard: +\(not built: npm run build\)/ },
  ];
  for (const c of cases) t.match(demoRecipe(c.in), c.want, c.name);
  t.notMatch(demoRecipe(cases[2]!.in), /admin page/, 'no admin line without a dashboard');
});

t.test('the printed failover recipe makes web fail over to its fallback pool', async (t) => {
  const base = await freeBase();
  const r = run(['--base-port', String(base), '--log-level', 'warn'], { ...process.env, MAGLEV_FRONTEND_USER: '', MAGLEV_FRONTEND_PASSWORD: '' });
  t.teardown(async () => {
    r.signals.emit('SIGTERM');
    await r.done;
  });
  await until(() => r.out().includes('  stop:'), () => `the recipe; seen:\n${r.out()}\n${r.err()}`, 30_000);
  const out = r.out();
  t.match(out, /admin page: +off; to enable it/);
  const grpc = /--server (\S+)/.exec(out)?.[1];
  t.equal(grpc, `127.0.0.1:${base}`);
  const client = new MaglevClient(grpc!, { deadlineMs: 2000 });
  t.teardown(() => client.close());
  const recipe = out.slice(out.indexOf('  fail over web:'), out.indexOf('  heal them:'));
  const downs = [...recipe.matchAll(/curl -X PUT -d '([^']+)' (http:\/\/\S+)/g)].map((m) => ({ body: m[1]!, url: m[2]! }));
  t.equal(downs.length, 2, 'two backends to fail');
  const pools = async (): Promise<Record<string, { active: boolean; effective: number }>> => {
    const fe = await client.getFrontend({ name: 'web' });
    return Object.fromEntries(fe.pools.map((p) => [p.name, { active: p.active, effective: p.backends.reduce((s, b) => s + b.effective_weight, 0) }]));
  };
  await until(async () => (await pools())['primary']?.effective === 150, 'web primary pool up with both backends', 30_000);
  for (const d of downs) t.same(await (await fetch(d.url, { method: 'PUT', body: d.body })).json(), { ok: true }, d.url);
  await until(async () => (await pools())['fallback']?.active === true, 'web fallback pool active', 15_000);
  t.same(await pools(), { primary: { active: false, effective: 0 }, fallback: { active: true, effective: 100 } });
  // "the VIP is served by web-3": a request to the web VIP, as the recipe's traffic line sends it
  // (refused until maglevd has programmed the simulator with the new weights).
  const counts = /curl (http:\/\/127\.0\.0\.1:\d+\/counts)/.exec(out)![1]!;
  const before = ((await (await fetch(counts)).json()) as Record<string, number>)['127.0.1.3'] ?? 0;
  await until(async () => {
    const res = await fetch('http://127.0.9.1/healthz', { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    return res?.ok === true && (((await (await fetch(counts)).json()) as Record<string, number>)['127.0.1.3'] ?? 0) > before;
  }, 'web-3 serving the web VIP', 15_000);
  r.signals.emit('SIGTERM');
  t.equal(await r.done, 0, 'stops cleanly');
});
