// Test helper for the daemon-level control-plane tests (test/e2e/control-plane-*.ts): one config
// shape (http-checked backends on 127.0.10.x, a static one, a two-pool frontend and an all-port
// one), a lab that starts the HTTP backends, the VPP simulator and the BUILT maglevd, and a
// runner for one-shot maglevc commands. Everything started here is stopped at teardown.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vipPrefix } from '../../src/vpp/sim/lb-model.js';
import { startVppSim, type VppSim } from '../../src/vpp/sim/vppsim.js';
import { startBackends, type Backends } from './e2e-backends.js';
import { connectE2e, type E2eClient } from './e2e-grpc-client.js';
import { childEnv, spawnMaglevd, type MaglevdProcess } from './maglevd-process.js';
import { tempDir, type Teardown } from './vpp-sim-harness.js';
import { until, type Condition } from './wait-for.js';

/** The http-checked backends and their addresses. */
export const checkedBackends = { be1: '127.0.10.1', be2: '127.0.10.2', be3: '127.0.10.3', be4: '127.0.10.4' } as const;
export const staticAddress = '127.0.10.9';
export const webVip = { address: '192.0.2.1', prefix: '192.0.2.1/32', protocol: 6, port: 80 } as const;
export const allVip = { address: '192.0.2.2', prefix: '192.0.2.2/32', protocol: 255, port: 0 } as const;

export interface ConfigSpec {
  /** Port of the http health check. */
  readonly checkPort: number;
  /** vpp.lb startup-min-delay / startup-max-delay (default 0s / 0s: no warmup). */
  readonly warmup?: readonly [string, string];
  /** Add be4 to the fallback pool (a reload that starts one backend). */
  readonly withBe4?: boolean;
  /** Replaces the backends section's be3 line (e.g. to break the config). */
  readonly be3Line?: string;
  /** Appended under `maglev:` (e.g. an unknown key). */
  readonly extra?: string;
}

/**
 * The lab config: be1 (weight 100) and be2 (weight 50) in pool primary, be3 (and be4) in pool
 * fallback of frontend `web` (tcp/80); static1 alone in the all-port frontend `all`.
 */
export function controlPlaneConfig(s: ConfigSpec): string {
  const [min, max] = s.warmup ?? ['0s', '0s'];
  return `maglev:
  healthchecker:
    transition-history: 10
  vpp:
    lb:
      ipv4-src-address: 192.0.2.254
      sync-interval: 30s
      startup-min-delay: ${min}
      startup-max-delay: ${max}
  healthchecks:
    web-check:
      type: http
      port: ${s.checkPort}
      interval: 200ms
      fast-interval: 100ms
      down-interval: 200ms
      timeout: 1s
      rise: 1
      fall: 2
      params:
        path: /healthz
  backends:
    be1: { address: ${checkedBackends.be1}, healthcheck: web-check }
    be2: { address: ${checkedBackends.be2}, healthcheck: web-check }
    ${s.be3Line ?? `be3: { address: ${checkedBackends.be3}, healthcheck: web-check }`}
${s.withBe4 === true ? `    be4: { address: ${checkedBackends.be4}, healthcheck: web-check }\n` : ''}    static1: { address: ${staticAddress} }
  frontends:
    web:
      description: control-plane test
      address: ${webVip.address}
      protocol: tcp
      port: ${webVip.port}
      pools:
        - name: primary
          backends:
            be1: {}
            be2: { weight: 50 }
        - name: fallback
          backends:
            be3: {}
${s.withBe4 === true ? '            be4: {}\n' : ''}    all:
      address: ${allVip.address}
      pools:
        - name: only
          backends: { static1: {} }
${s.extra ?? ''}`;
}

export interface LabOptions {
  /** Start the VPP simulator and point maglevd at it (default true). */
  readonly vpp?: boolean;
  readonly warmup?: readonly [string, string];
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More maglevd flags. */
  readonly extraArgs?: readonly string[];
  /** maglevd's file-descriptor limit (prlimit --nofile). */
  readonly nofile?: number;
}

export interface ControlPlaneLab {
  readonly backends: Backends;
  /** undefined when started with vpp: false. */
  readonly sim: VppSim | undefined;
  readonly d: MaglevdProcess;
  readonly rpc: E2eClient;
  /** The lab config with this lab's check port. */
  config(extra?: Omit<ConfigSpec, 'checkPort' | 'warmup'>): string;
  /** Live VIPs in the simulator, as `prefix proto port` → {address: weight} of used ASes. */
  vips(): Record<string, Record<string, number>>;
  /** Polls until cond holds (default 10 s). */
  until(cond: Condition, what: string, timeoutMs?: number): Promise<void>;
  /** Waits until every checked backend in the config is up. */
  allUp(names?: readonly string[]): Promise<void>;
}

/** Starts backends be1..be4 (healthy), the simulator (optional) and maglevd on the lab config. */
export async function startControlPlaneLab(t: Teardown, o: LabOptions = {}): Promise<ControlPlaneLab> {
  const backends = await startBackends(t, Object.values(checkedBackends));
  const withVpp = o.vpp !== false;
  let sim: VppSim | undefined;
  let apiSocket: string | undefined;
  let statsSocket: string | undefined;
  if (withVpp) {
    const dir = tempDir(t, 'cp-lab-');
    apiSocket = path.join(dir, 'api.sock');
    statsSocket = path.join(dir, 'stats.sock');
    const s = await startVppSim({ apiSocket, statsSocket, fillerMessages: 200 });
    sim = s;
    t.teardown(() => s.close());
  }
  const config = (extra: Omit<ConfigSpec, 'checkPort' | 'warmup'> = {}): string =>
    controlPlaneConfig({ checkPort: backends.port, ...(o.warmup === undefined ? {} : { warmup: o.warmup }), ...extra });
  const d = await spawnMaglevd({
    config: config(),
    ...(apiSocket === undefined ? {} : { vppApi: apiSocket }),
    ...(statsSocket === undefined ? {} : { vppStats: statsSocket }),
    logLevel: o.logLevel ?? 'info',
    ...(o.extraArgs === undefined ? {} : { extraArgs: o.extraArgs }),
    ...(o.nofile === undefined ? {} : { nofile: o.nofile }),
  });
  t.teardown(() => d.stop('SIGKILL'));
  const rpc = connectE2e(t, d.grpcAddr);
  const poll = (cond: Condition, what: string, timeoutMs = 10_000): Promise<void> => until(cond, what, timeoutMs, 20);
  return {
    backends,
    sim,
    d,
    rpc,
    config,
    vips() {
      const out: Record<string, Record<string, number>> = {};
      for (const v of sim?.model.liveVips() ?? []) {
        out[`${vipPrefix(v)} ${v.protocol} ${v.port}`] = Object.fromEntries(v.ases.filter((a) => a.used).map((a) => [a.address, a.weight]));
      }
      return out;
    },
    until: poll,
    allUp: (names = ['be1', 'be2', 'be3']) =>
      poll(async () => {
        const states = await Promise.all(names.map((n) => rpc.call('GetBackend', { name: n })));
        return states.every((b) => b.state === 'up');
      }, `backends ${names.join(', ')} up`),
  };
}

export interface MaglevcRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const maglevcBin = fileURLToPath(new URL('../../bin/maglevc.js', import.meta.url));

/** Runs the BUILT maglevc once (`--server server words…`), without tap's loaders. */
export function runMaglevc(server: string | undefined, words: readonly string[]): Promise<MaglevcRun> {
  const args = [maglevcBin, ...(server === undefined ? [] : ['--server', server]), ...words];
  const child = spawn(process.execPath, args, { env: childEnv({ NO_COLOR: '1' }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr });
    }),
  );
}
