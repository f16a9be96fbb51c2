// Soak: is maglevd stable over time at fleet scale? Runs the VPP simulator, the loopback fleet
// and the BUILT maglevd as separate processes (run `npm run build` first), flaps a share of the
// backends continuously (transitions, reconciler syncs and VPP writes all the time), samples
// maglevd's RSS, fds, threads, CPU, event-loop lag, probe rate and /healthz, checks at the end
// that the simulator's AS weights match the fleet, and judges growth (Q4 vs Q2, Q1 = warm-up).
// Exits non-zero if maglevd died, /healthz answered non-200, growth was flagged or the
// dataplane did not converge. Writes its subsection of `## soak` in bench/RESULTS.md.
//
//   node --import tsx bench/soak.ts [--backends 5000] [--flap-percent 5] [--duration 1h]
//        [--sample 10s] [--warmup 15m] [--flip-every 5s] [--per-frontend 20] [--seed 1]
//        [--results FILE | --no-results] [--node-arg=--cpu-prof ...]

import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MaglevClient } from '../src/api/maglev-client.js';
import { fleetAddresses } from '../src/fleet/fleet-addresses.js';
import { formatDurationMs } from '../src/shared/duration.js';
import { createFlapper, seededRandom } from './soak-flapper.js';
import { parseSoakArgs, usage, type SoakOptions } from './soak-options.js';
import { awaitConvergence } from './soak-convergence.js';
import { soakConfigYaml, soakLayout } from './soak-layout.js';
import { binArgs, binPath, startPart, type ChildPart } from './soak-process.js';
import { growthVerdict, sampleLine, writeSoakSection, type ProcReading } from './soak-report.js';
import { userHz } from './process-sampler.js';
import { metricByLabel, metricSum, procStat, type SoakSample } from './soak-sample.js';
import { soakTitle, soakWriteup } from './soak-summary.js';

function describeError(e: unknown): string {
  if (!(e instanceof Error)) return typeof e === 'string' ? e : JSON.stringify(e);
  return e.cause === undefined ? e.message : `${e.message} (${describeError(e.cause)})`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function fetchText(url: string, timeoutMs = 10_000): Promise<{ status: number; text: string; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}

/** Runs the soak; resolves with the exit code. `signals` emits SIGINT/SIGTERM to stop early. */
export async function runSoak(o: SoakOptions, signals: NodeJS.EventEmitter = process): Promise<number> {
  if (!existsSync(new URL('../dist/daemon/maglevd.js', import.meta.url))) {
    console.error('soak: dist/ is missing; run `npm run build` first');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'maglev-soak-'));
  const parts: ChildPart[] = [];
  let interrupted: string | undefined;
  let halt: () => void = () => undefined;
  /** Resolves on a signal or when maglevd exits: every wait in the run races it. */
  const halted = new Promise<void>((resolve) => (halt = resolve));
  const onSignal = (sig: string): void => {
    interrupted = sig;
    halt();
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  // Last resort if this process dies abruptly: no child may outlive the soak.
  const killParts = (): void => {
    for (const p of parts) if (!p.hasExited()) p.child.kill('SIGKILL');
  };
  process.on('exit', killParts);
  const loadStart = loadavg()[0] ?? 0;
  const startedAt = new Date();
  const problems: string[] = [];
  const logCounts = new Map<string, number>();
  const warnings: string[] = [];
  let client: MaglevClient | undefined;
  try {
    // ---- processes ----
    const api = join(dir, 'api.sock');
    const stats = join(dir, 'stats.sock');
    const sim = startPart('maglev-vppsim', [binPath('maglev-vppsim'), '--api-socket', api, '--stats-socket', stats]);
    parts.push(sim);
    await sim.waitForLine(/stats listening/, 15_000);
    const fleetProc = startPart('maglev-fleet', [binPath('maglev-fleet'), '--count', String(o.backends), '--first', '127.1.0.1', '--http-port', '0', '--control-port', '0']);
    parts.push(fleetProc);
    const ready = JSON.parse(await fleetProc.waitForLine(/fleet-ready/, 60_000)) as { httpPort: number; controlPort: number };
    const controlUrl = `http://127.0.0.1:${ready.controlPort}`;
    const addresses = fleetAddresses(o.backends, '127.1.0.1');
    const layout = soakLayout(addresses, o.perFrontend);
    const configPath = join(dir, 'maglev.yaml');
    writeFileSync(configPath, soakConfigYaml(layout, { port: ready.httpPort, intervalMs: 1000, fastIntervalMs: 500, timeoutMs: 500, rise: 2, fall: 2 }));

    const daemon = startPart(
      'maglevd',
      [...binArgs('maglevd', o.nodeArgs), '--config', configPath, '--grpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--vpp-api-addr', api, '--vpp-stats-addr', stats, '--log-level', 'info'],
      (line) => {
        const msg = /"msg":"([^"]+)"/.exec(line)?.[1] ?? '(not json)';
        logCounts.set(msg, (logCounts.get(msg) ?? 0) + 1);
        if (/"level":"(WARN|ERROR)"/.test(line) && warnings.length < 20) warnings.push(line.slice(0, 400));
      },
      /"msg":"(grpc-listen|metrics-listen|vpp-lb-warmup-[a-z-]+)"/,
    );
    parts.push(daemon);
    void daemon.exited.then(() => halt());
    const t0 = performance.now();
    const elapsedS = (): number => (performance.now() - t0) / 1000;
    const addrOf = (line: string): string => String((JSON.parse(line) as { addr: unknown }).addr);
    const grpcAddr = addrOf(await daemon.waitForLine(/"msg":"grpc-listen"/, 60_000));
    const metricsUrl = `http://${addrOf(await daemon.waitForLine(/"msg":"metrics-listen"/, 60_000))}`;
    client = new MaglevClient(grpcAddr, { deadlineMs: 30_000 });
    console.log(`soak: ${o.backends} backends in ${layout.frontends.length} frontends, ${o.flapPercent} % flapping every ${formatDurationMs(o.flipEveryMs)}, ${formatDurationMs(o.durationMs)}; maglevd pid ${daemon.pid}, metrics ${metricsUrl}`);

    // ---- the run: flapping, /healthz polls, samples ----
    const stopAt = t0 + o.durationMs;
    const stopped = (): boolean => interrupted !== undefined || flapError !== undefined || daemon.hasExited() || performance.now() >= stopAt;
    const flapper = createFlapper(controlUrl, addresses, o.flapPercent, seededRandom(o.seed));
    let flapError: unknown;
    const flapping = (async () => {
      // Let the warmup hand the dataplane over first, so the soak exercises steady state.
      const warm = daemon.waitForLine(/"msg":"vpp-lb-warmup-(complete|max-delay-elapsed)"/, 60_000).catch(() => undefined);
      await Promise.race([warm, halted]);
      while (!stopped()) {
        const next = performance.now() + o.flipEveryMs;
        await flapper.round();
        await sleep(Math.max(0, next - performance.now()));
      }
    })().catch((e: unknown) => {
      flapError = e;
      halt();
    });
    let healthzPolls = 0;
    let healthzBad = 0;
    const healthStatuses = new Map<number, number>();
    const readings: ProcReading[] = [];
    const polling = (async () => {
      while (!stopped()) {
        try {
          const p = procStat(daemon.pid);
          readings.push({ t: elapsedS(), rssMb: p.rss / 2 ** 20, fds: p.fds });
        } catch {
          // maglevd just exited: the sampler reports it
        }
        healthzPolls++;
        const status = await fetchText(`${metricsUrl}/healthz`, 5000).then((r) => r.status, () => 0);
        healthStatuses.set(status, (healthStatuses.get(status) ?? 0) + 1);
        if (status !== 200) healthzBad++;
        await sleep(1000);
      }
    })();

    const samples: SoakSample[] = [];
    let lastScrape = '';
    let prev = { at: performance.now(), cpu: procStat(daemon.pid).cpuTicks, fleetCpu: procStat(fleetProc.pid).cpuTicks, probes: 0, failures: 0, transitions: 0, polls: 0, bad: 0 };
    while (!stopped()) {
      const left = stopAt - performance.now();
      // A sliver of an interval at the very end would give only noisy rates: wait it out, no row.
      const sliver = left < o.sampleMs / 2;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([halted, new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, Math.min(o.sampleMs, left)))))]);
      clearTimeout(timer);
      if (sliver || (stopped() && performance.now() < stopAt)) break;
      let proc, fleetCpu, scrape;
      try {
        proc = procStat(daemon.pid);
        fleetCpu = procStat(fleetProc.pid).cpuTicks;
        scrape = await fetchText(`${metricsUrl}/metrics`, 20_000);
      } catch (e) {
        if (daemon.hasExited()) break;
        problems.push(`sample at ${elapsedS().toFixed(0)} s failed: ${describeError(e)}`);
        continue;
      }
      const now = performance.now();
      const dt = (now - prev.at) / 1000;
      const byResult = metricByLabel(scrape.text, 'maglev_probe_total', 'result');
      const probes = [...byResult.values()].reduce((a, b) => a + b, 0);
      const failures = byResult.get('failure') ?? 0;
      const transitions = metricSum(scrape.text, 'maglev_backend_transitions_total') ?? 0;
      const sample: SoakSample = {
        t: elapsedS(),
        rssMb: proc.rss / 2 ** 20,
        heapMb: (metricSum(scrape.text, 'nodejs_heap_size_used_bytes') ?? NaN) / 2 ** 20,
        liveHeapMb: (metricSum(scrape.text, 'maglev_heap_live_bytes') ?? NaN) / 2 ** 20,
        majorGcs: metricByLabel(scrape.text, 'nodejs_gc_duration_seconds_count', 'kind').get('major') ?? 0,
        fds: proc.fds,
        threads: proc.threads,
        cpuPct: ((proc.cpuTicks - prev.cpu) / userHz / dt) * 100,
        fleetCpuPct: ((fleetCpu - prev.fleetCpu) / userHz / dt) * 100,
        lagP99Ms: (metricSum(scrape.text, 'nodejs_eventloop_lag_p99_seconds') ?? NaN) * 1000,
        lagMaxMs: (metricSum(scrape.text, 'nodejs_eventloop_lag_max_seconds') ?? NaN) * 1000,
        probesPerS: (probes - prev.probes) / dt,
        failuresPerS: (failures - prev.failures) / dt,
        transitionsPerS: (transitions - prev.transitions) / dt,
        scrapeKb: scrape.text.length / 1024,
        scrapeMs: scrape.ms,
        healthzBad: healthzBad - prev.bad,
        healthzPolls: healthzPolls - prev.polls,
        load: loadavg()[0] ?? 0,
      };
      samples.push(sample);
      console.log(sampleLine(sample));
      lastScrape = scrape.text;
      prev = { at: now, cpu: proc.cpuTicks, fleetCpu, probes, failures, transitions, polls: healthzPolls, bad: healthzBad };
    }
    const ranS = elapsedS();
    await Promise.all([flapping, polling]);

    // ---- verdicts ----
    if (interrupted !== undefined) problems.push(`interrupted by ${interrupted}`);
    if (flapError !== undefined) problems.push(`flapping stopped: ${describeError(flapError)}`);
    const died = daemon.hasExited();
    if (died && interrupted === undefined) problems.push(`maglevd died with exit code ${await daemon.exited}:\n${daemon.tail().slice(-3000)}`);
    if (healthzBad > 0) problems.push(`/healthz answered non-200 ${healthzBad} of ${healthzPolls} times (status:count, 0 = no answer in 5 s: ${[...healthStatuses].map(([s, n]) => `${s}:${n}`).join(' ')})`);
    const convergence = died || interrupted !== undefined ? undefined : await awaitConvergence({ client, layout, controlUrl, metricsUrl, down: flapper.down });
    if (convergence !== undefined && !convergence.reconcilerOk) problems.push(`the dataplane never matched maglevd's own backend states within 60 s (reconciler): ${convergence.mismatches.length} mismatches, e.g.\n  ${convergence.mismatches.slice(0, 8).join('\n  ')}`);
    if (convergence !== undefined && !convergence.truthOk) problems.push(`the dataplane never matched the fleet within 60 s: ${convergence.mismatches.length} mismatches, ${convergence.wrongStates} backends in the wrong state in maglevd; e.g.\n  ${convergence.mismatches.slice(0, 8).join('\n  ')}`);
    if (convergence !== undefined && !convergence.fleetAgrees) problems.push('the fleet does not report the up/down state the soak set');
    const rssMbOf = (part: ChildPart): number => {
      if (part.hasExited()) {
        if (interrupted === undefined) problems.push(`${part.name} exited during the soak:\n${part.tail().slice(-2000)}`);
        return NaN;
      }
      return procStat(part.pid).rss / 2 ** 20;
    };
    const fleetRssMb = rssMbOf(fleetProc);
    const simRssMb = rssMbOf(sim);
    // maglevd must be gone 5 s after SIGTERM; SIGKILL only after 20 s.
    const stopT0 = performance.now();
    const shutdownCode = died ? undefined : await daemon.stop(20_000);
    const shutdownS = (performance.now() - stopT0) / 1000;
    if (shutdownCode !== undefined && shutdownCode !== 0) problems.push(`maglevd exited with ${shutdownCode} on SIGTERM (want 0)`);
    if (shutdownCode !== undefined && shutdownS > 6) problems.push(`maglevd took ${shutdownS.toFixed(1)} s to exit on SIGTERM (want ≤ 5 s)`);
    const verdict = growthVerdict(readings, samples, o.durationMs / 1000, o.warmupMs / 1000);
    if (interrupted === undefined && !died) problems.push(...verdict.flags);

    // ---- report ----
    const ok = problems.length === 0;
    const body = soakWriteup({
      backends: o.backends,
      frontends: layout.frontends.length,
      perFrontend: o.perFrontend,
      flapPercent: o.flapPercent,
      durationMs: o.durationMs,
      sampleMs: o.sampleMs,
      flipEveryMs: o.flipEveryMs,
      startedAt,
      loadStart,
      loadEnd: loadavg()[0] ?? 0,
      samples,
      verdict,
      problems,
      healthz: { polls: healthzPolls, bad: healthzBad },
      shutdown: shutdownCode === undefined ? undefined : { code: shutdownCode, seconds: shutdownS },
      ranS,
      flapper: { rounds: flapper.rounds, requests: flapper.requests, down: flapper.down.size },
      convergence,
      fleetRssMb,
      simRssMb,
      logCounts,
      warnings,
      failureCodes: metricByLabel(lastScrape, 'maglev_probe_total', 'code', { result: 'failure' }),
      results: metricByLabel(lastScrape, 'maglev_probe_total', 'result'),
    });
    console.log(`\n${body}`);
    for (const p of problems) console.error(`soak: ${p}`);
    if (o.resultsFile !== undefined && interrupted === undefined) {
      writeSoakSection(
        o.resultsFile,
        `${soakTitle(o)} `,
        body,
        'bench/soak.ts: maglevd (built), the VPP simulator and the loopback fleet as separate processes, with backends flapping continuously. Growth is judged on the last quarter against the second quarter (the first quarter is warm-up): the live heap after major GCs, the RSS band, and fds.',
      );
      console.log(`soak: wrote the section to ${o.resultsFile}`);
    }
    return interrupted !== undefined ? 130 : ok ? 0 : 1;
  } catch (e) {
    console.error(`soak: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    process.off('exit', killParts);
    client?.close();
    for (const p of [...parts].reverse()) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  let opts: SoakOptions;
  try {
    opts = parseSoakArgs(argv);
  } catch (e) {
    console.error(`soak: ${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  const code = await runSoak(opts);
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
