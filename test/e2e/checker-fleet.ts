// End to end (issue 3): the real Checker, with the real clock and the Piscina probe dispatcher,
// probing backends served by the loopback test fleet over real sockets. Shows one probe per
// interval per backend however many frontends use it, rise/fall through real failures (refused
// → L4CON, HTTP 503 → L7STS), pause/resume and disable/enable stopping and restarting the
// fleet's traffic, and reload: unchanged checks keep running, a changed path restarts and
// reaches the fleet, a removed backend gets `removed` and its traffic stops.
// Short intervals (100 ms), conditions polled with generous deadlines for a loaded CI box.

import t, { type Test } from 'tap';
import type { FleetBehaviour } from '../../src/fleet/fleet-behaviour.js';
import { startFleet } from '../../src/fleet/fleet.js';
import { Checker } from '../../src/checker/checker.js';
import type { CheckerEvent } from '../../src/checker/events.js';
import { parseConfig } from '../../src/config/loader.js';
import { createProbeDispatcher } from '../../src/checker/probe-dispatcher.js';
import { createRealClock } from '../../src/shared/clock.js';
import type { Config } from '../../src/shared/config.js';
import { isPassCode, type BackendState, type ProbeCode, type TransitionRecord } from '../../src/shared/health.js';
import { RecordingLogger } from '../support/recording-logger.js';
import { waitFor } from '../support/wait-for.js';

const intervalMs = 100;
const deadlineMs = 15_000;

const fleet = await startFleet({ httpPort: 0, backends: [] });
const dispatcher = await createProbeDispatcher({ threads: 1 });
t.teardown(async () => {
  await dispatcher.close();
  await fleet.close();
});
await dispatcher.whenReady();

interface ConfigSpec {
  /** backend name → [address, health-check path]. */
  readonly backends: Record<string, [string, string]>;
  /** frontend name → backend names (one pool). */
  readonly frontends: Record<string, string[]>;
}

/** A config with one HTTP health check per distinct path, all at 100 ms, rise 2, fall 2. */
function config(spec: ConfigSpec): Config {
  const paths = [...new Set(Object.values(spec.backends).map(([, path]) => path))];
  const checkName = (path: string): string => `hc${paths.indexOf(path)}`;
  const checks = paths.map(
    (path) =>
      `    ${checkName(path)}:\n      type: http\n      port: ${fleet.httpPort}\n      interval: ${intervalMs}ms\n      fast-interval: ${intervalMs}ms\n` +
      `      down-interval: ${intervalMs}ms\n      timeout: 1s\n      rise: 2\n      fall: 2\n      params:\n        path: ${path}\n`,
  );
  const backends = Object.entries(spec.backends).map(([name, [address, path]]) => `    ${name}: { address: ${address}, healthcheck: ${checkName(path)} }\n`);
  const frontends = Object.entries(spec.frontends).map(
    ([name, members], i) =>
      `    ${name}:\n      address: 192.0.2.${i + 1}\n      protocol: tcp\n      port: 80\n      pools:\n        - name: p\n          backends:\n` +
      members.map((b) => `            ${b}: {}\n`).join(''),
  );
  const yaml =
    `maglev:\n  vpp:\n    lb:\n      ipv4-src-address: 192.0.2.254\n` +
    `  healthchecks:\n${checks.join('')}  backends:\n${backends.join('')}  frontends:\n${frontends.join('')}`;
  const load = parseConfig(yaml);
  if (!load.ok) throw new Error(`bad test config: ${JSON.stringify(load.errors)}\n${yaml}`);
  return load.config;
}

/** One line of what happened to a backend, in order: probe results and transitions. */
type Happening = { readonly kind: 'probe'; readonly ok: boolean; readonly code: ProbeCode } | { readonly kind: 'transition'; readonly t: TransitionRecord };

interface Run {
  readonly checker: Checker;
  readonly logger: RecordingLogger;
  readonly events: CheckerEvent[];
  /** backend name → its probes and transitions, in order. */
  readonly history: Map<string, Happening[]>;
  readonly state: (backend: string) => BackendState | undefined;
  /** Polls until the backend is in `state`. */
  readonly reach: (backend: string, state: BackendState) => Promise<boolean>;
}

/** A started checker on its own fleet addresses, stopped in the test's teardown. */
async function startChecker(t: Test, spec: ConfigSpec): Promise<Run> {
  await fleet.add(Object.values(spec.backends).map(([address]) => address));
  const logger = new RecordingLogger({ debug: false });
  const history = new Map<string, Happening[]>();
  const log = (backend: string, h: Happening): void => {
    const list = history.get(backend) ?? [];
    list.push(h);
    history.set(backend, list);
  };
  const checker = new Checker({
    config: config(spec),
    clock: createRealClock(),
    logger,
    executor: dispatcher,
    observer: {
      onProbe: (backend, _type, code, outcome) => {
        if (outcome === 'recorded') log(backend, { kind: 'probe', ok: isPassCode(code), code });
      },
    },
  });
  const events: CheckerEvent[] = [];
  checker.subscribe((ev) => {
    events.push(ev);
    if (ev.kind === 'backend') log(ev.backend, { kind: 'transition', t: ev.transition });
  });
  t.teardown(() => checker.stop());
  checker.start();
  const state = (b: string): BackendState | undefined => checker.getBackend(b)?.state;
  return { checker, logger, events, history, state, reach: (b, s) => waitFor(() => state(b) === s, deadlineMs) };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The transitions of one backend since `from` (an index into its history). */
function transitions(run: Run, backend: string, from = 0): TransitionRecord[] {
  return (run.history.get(backend) ?? []).slice(from).flatMap((h) => (h.kind === 'transition' ? [h.t] : []));
}

t.test('one probe per interval per backend, however many frontends reference it', async (t) => {
  const [shared, solo] = ['127.0.6.1', '127.0.6.2'];
  const run = await startChecker(t, {
    backends: { shared: [shared, '/healthz'], solo: [solo, '/healthz'] },
    frontends: { fe1: ['shared'], fe2: ['shared'], fe3: ['shared', 'solo'] },
  });
  t.ok((await run.reach('shared', 'up')) && (await run.reach('solo', 'up')), 'both backends come up');
  t.same(run.checker.getBackend('shared')?.frontends, ['fe1', 'fe2', 'fe3']);

  const up = run.events.filter((e) => e.kind === 'backend' && e.backend === 'shared' && e.transition.to === 'up');
  t.same(
    up.map((e) => (e.kind === 'backend' ? e.frontends : [])),
    [['fe1', 'fe2', 'fe3']],
    'one event for the one transition, naming every referencing frontend',
  );

  const before = { shared: fleet.count(shared), solo: fleet.count(solo), at: performance.now() };
  await sleep(2000);
  const windowMs = performance.now() - before.at;
  const probes = { shared: fleet.count(shared) - before.shared, solo: fleet.count(solo) - before.solo };
  // With ±10 % jitter a 100 ms interval never fires more than windowMs / 90 times (+1 at the edge).
  const most = Math.floor(windowMs / (intervalMs * 0.9)) + 1;
  t.comment(`in ${Math.round(windowMs)} ms: shared ${probes.shared}, solo ${probes.solo} (at most ${most})`);
  t.ok(probes.solo >= 3, `solo is probed repeatedly (${probes.solo})`);
  t.ok(probes.shared >= 3, `shared is probed repeatedly (${probes.shared})`);
  t.ok(probes.shared <= most, `shared: at most one probe per interval (${probes.shared} ≤ ${most})`);
  t.ok(probes.shared <= probes.solo * 1.5 + 2, `shared is probed at the single-frontend rate, not 3× (${probes.shared} vs ${probes.solo})`);
});

t.test('rise/fall end to end: the fleet fails, the backend goes down, then comes back', async (t) => {
  const cases: { name: string; address: string; bad: FleetBehaviour; code: ProbeCode }[] = [
    { name: 'refused', address: '127.0.6.10', bad: { kind: 'down' }, code: 'L4CON' },
    { name: 'status503', address: '127.0.6.11', bad: { kind: 'status', code: 503 }, code: 'L7STS' },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const run = await startChecker(t, { backends: { [c.name]: [c.address, '/healthz'] }, frontends: { fe: [c.name] } });
      t.ok(await run.reach(c.name, 'up'), 'comes up');

      const mark = run.history.get(c.name)!.length;
      await fleet.set(c.address, c.bad);
      t.ok(await run.reach(c.name, 'down'), 'goes down');
      const hist = run.history.get(c.name)!.slice(mark);
      const downAt = hist.findIndex((h) => h.kind === 'transition' && h.t.to === 'down');
      const beforeDown = hist.slice(0, downAt);
      const firstFail = beforeDown.findIndex((h) => h.kind === 'probe' && !h.ok);
      const failures = beforeDown.slice(firstFail);
      t.equal(failures.length, 2, `down after exactly fall=2 failures (${JSON.stringify(failures)})`);
      t.ok(
        failures.every((h) => h.kind === 'probe' && !h.ok),
        'both are failed probes',
      );
      t.match(hist[downAt], { kind: 'transition', t: { from: 'up', to: 'down', code: c.code } }, `the transition carries ${c.code}`);
      const ev = run.events.find((e) => e.kind === 'backend' && e.transition.to === 'down');
      t.match(ev, { kind: 'backend', backend: c.name, frontends: ['fe'], transition: { from: 'up', to: 'down', code: c.code } }, 'and so does the event');

      const mark2 = run.history.get(c.name)!.length;
      await fleet.set(c.address, { kind: 'up' });
      t.ok(await run.reach(c.name, 'up'), 'comes back up');
      const back = run.history.get(c.name)!.slice(mark2);
      const upAt = back.findIndex((h) => h.kind === 'transition' && h.t.to === 'up');
      const beforeUp = back.slice(0, upAt);
      const firstOk = beforeUp.findIndex((h) => h.kind === 'probe' && h.ok);
      t.same(
        beforeUp.slice(firstOk).map((h) => (h.kind === 'probe' ? h.code : 'transition')),
        ['L7OK', 'L7OK'],
        'up after exactly rise=2 passes',
      );
      t.match(back[upAt], { kind: 'transition', t: { from: 'down', to: 'up', code: 'L7OK' } });
    });
  }
});

interface StopCase {
  readonly name: string;
  readonly address: string;
  readonly stop: (c: Checker, b: string) => unknown;
  readonly start: (c: Checker, b: string) => unknown;
  readonly stopped: BackendState;
  readonly codes: [string, string];
}

t.test('pause/resume and disable/enable stop and restart the probes the fleet sees', async (t) => {
  const cases: StopCase[] = [
    { name: 'pause', address: '127.0.6.20', stop: (c, b) => c.pause(b), start: (c, b) => c.resume(b), stopped: 'paused', codes: ['paused', 'resumed'] },
    { name: 'disable', address: '127.0.6.21', stop: (c, b) => c.disable(b), start: (c, b) => c.enable(b), stopped: 'disabled', codes: ['disabled', 'enabled'] },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const run = await startChecker(t, { backends: { [c.name]: [c.address, '/healthz'] }, frontends: { fe: [c.name] } });
      t.ok(await run.reach(c.name, 'up'), 'comes up');
      const mark = run.history.get(c.name)!.length;

      c.stop(run.checker, c.name);
      t.equal(run.state(c.name), c.stopped, `${c.stopped} at once`);
      const atStop = fleet.count(c.address);
      await sleep(8 * intervalMs);
      const whileStopped = fleet.count(c.address) - atStop;
      t.ok(whileStopped <= 1, `no probes while ${c.stopped}, one in flight at most (${whileStopped})`);

      c.start(run.checker, c.name);
      t.equal(run.state(c.name), 'unknown', 'unknown at once');
      t.ok(await waitFor(() => fleet.count(c.address) >= atStop + whileStopped + 2, deadlineMs), 'the fleet sees probes again');
      t.ok(await run.reach(c.name, 'up'), 'then up');
      t.same(
        transitions(run, c.name, mark).map((tr) => [tr.from, tr.to, tr.code]),
        [
          ['up', c.stopped, c.codes[0]],
          [c.stopped, 'unknown', c.codes[1]],
          ['unknown', 'up', 'L7OK'],
        ],
        'the transitions, in order',
      );
    });
  }
});

t.test('reload: unchanged keeps probing, a changed check restarts, a removed backend stops', async (t) => {
  const [kept, changed, removed] = ['127.0.6.30', '127.0.6.31', '127.0.6.32'];
  const run = await startChecker(t, {
    backends: { kept: [kept, '/healthz'], changed: [changed, '/old'], removed: [removed, '/healthz'] },
    frontends: { fe1: ['kept', 'changed'], fe2: ['removed'] },
  });
  for (const b of ['kept', 'changed', 'removed']) t.ok(await run.reach(b, 'up'), `${b} comes up`);
  t.ok(await waitFor(() => fleet.stats(changed)?.lastRequest?.path === '/old', deadlineMs), 'the fleet sees the old path');
  const marks = Object.fromEntries(['kept', 'changed', 'removed'].map((b) => [b, run.history.get(b)!.length]));
  const eventsBefore = run.events.length;

  const counts = run.checker.reload(config({ backends: { kept: [kept, '/healthz'], changed: [changed, '/new'] }, frontends: { fe1: ['kept', 'changed'] } }));
  t.same(counts, { started: 0, stopped: 1, restarted: 1 }, 'one stopped, one restarted');
  const atReload = { kept: fleet.count(kept), removed: fleet.count(removed) };

  t.same(
    run.logger.named('backend-restart').map((r) => r.attrs),
    [{ backend: 'changed', reason: 'healthcheck changed' }],
    'only the changed backend restarts',
  );
  t.ok(await waitFor(() => fleet.stats(changed)?.lastRequest?.path === '/new', deadlineMs), 'the fleet sees the new path');
  t.ok(await waitFor(() => fleet.count(kept) >= atReload.kept + 5, deadlineMs), 'the unchanged backend keeps being probed');
  t.equal(run.state('kept'), 'up', 'the unchanged backend stays up');
  t.equal(run.state('changed'), 'up', 'a passing new check keeps the backend up');
  t.same(transitions(run, 'kept', marks['kept']), [], 'no transition for the unchanged backend');
  t.same(transitions(run, 'changed', marks['changed']), [], 'nor for the restarted one that still passes');

  t.equal(run.checker.getBackend('removed'), undefined, 'the removed backend is gone');
  t.match(
    transitions(run, 'removed', marks['removed']),
    [{ from: 'up', to: 'removed', code: 'removed' }],
    'with a removed transition',
  );
  t.match(
    run.events.slice(eventsBefore).filter((e) => e.kind === 'backend'),
    [{ backend: 'removed', frontends: ['fe2'], transition: { to: 'removed', code: 'removed' } }],
    'the one backend event, to the frontend that used it',
  );
  t.ok(fleet.count(removed) - atReload.removed <= 1, `the removed backend's traffic stops (${fleet.count(removed) - atReload.removed})`);
});
