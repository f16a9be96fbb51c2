// maglev-demo (`npm run demo`): the whole system on one machine, each part its own process as
// in production: the VPP simulator (api.sock + stats.sock), a loopback test fleet, maglevd
// with examples/maglev-demo.yaml, and the dashboard when it is built. The simulator forwards:
// TCP connections to the loopback VIPs reach the fleet through its Maglev tables, so curl and
// maglevt work against the VIPs. The fleet serves http on 8080 and https on 8443, so VIP ports
// 80 and 443 map to those on the AS (the other VIPs keep their port, as GRE does). Prints how
// to attach maglevc, send traffic and make web fail over; Ctrl-C stops everything.
// --duration N stops after N seconds (exit 0 only if maglevd programmed the simulator).
// The dashboard inherits MAGLEV_FRONTEND_USER/PASSWORD, which enable its admin page.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface DemoIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly signals: NodeJS.EventEmitter;
  /** The parts' environment (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export const demoUsage = `usage: maglev-demo [--base-port 9090] [--duration seconds] [--log-level info]
  --base-port P   the demo's ports on 127.0.0.1: P gRPC, P+1 metrics, P+2 dashboard, P+9 fleet control (default 9090)
  --duration N    stop after N seconds (exit 0 only if maglevd programmed the simulator)
  --log-level L   maglevd's log level (default info)
The dashboard's admin page needs MAGLEV_FRONTEND_USER and MAGLEV_FRONTEND_PASSWORD in the environment.`;

/** The demo's TCP ports on 127.0.0.1, all derived from --base-port. */
export function demoPorts(base: number): { readonly grpc: number; readonly metrics: number; readonly dashboard: number; readonly fleetControl: number } {
  return { grpc: base, metrics: base + 1, dashboard: base + 2, fleetControl: base + 9 };
}

/** The first of the demo's ports something else already holds, or undefined when all are free. */
async function takenPort(base: number): Promise<{ role: string; port: number; code: string } | undefined> {
  for (const [role, port] of Object.entries(demoPorts(base))) {
    const code = await new Promise<string | undefined>((resolve) => {
      const server = createServer();
      server.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(undefined)));
    });
    if (code !== undefined) return { role, port, code };
  }
  return undefined;
}

/** What a part's EADDRINUSE means here and how to get out of it. */
function portClashHint(text: string, base: number): string {
  if (!/EADDRINUSE|address already in use/i.test(text)) return '';
  return `\nmaglev-demo: a port is taken (another demo running?). The demo uses 127.0.0.1:${base}-${base + 9}; choose others with --base-port N. ` +
    'The fleet also needs 127.0.1.1-10 ports 8080/8443, and the simulator the VIPs on 127.0.9.1-4.\n';
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string): string => join(root, 'bin', `${name}.js`);

interface Part {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
  output: string;
}

/** The forwarding flags: AS ports of the fleet for VIP ports 80/443, and the all-port VIP's ports. */
export const demoForwardArgs = ['--forward', '--forward-ports', '8080,8443', '--forward-as-ports', '80=8080,443=8443'];

function start(name: string, args: string[], baseEnv: Readonly<Record<string, string | undefined>>, onLine?: (line: string) => void): Part {
  const env = { ...baseEnv };
  delete env.NODE_OPTIONS; // the parts run compiled JavaScript; no loaders from a test runner
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const part: Part = { name, child, exited: new Promise((r) => child.once('exit', (c) => r(c ?? 1))), output: '' };
  let buf = '';
  const take = (chunk: string): void => {
    part.output = (part.output + chunk).slice(-20_000);
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      onLine?.(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  };
  child.stdout?.setEncoding('utf8').on('data', take);
  child.stderr?.setEncoding('utf8').on('data', take);
  return part;
}

function waitForLine(part: Part, re: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const found = part.output.split('\n').find((l) => re.test(l));
    if (found !== undefined) return resolve(found);
    const t = setTimeout(() => reject(new Error(`${part.name}: nothing matching ${re} within ${timeoutMs} ms:\n${part.output}`)), timeoutMs);
    const onData = (): void => {
      const l = part.output.split('\n').find((x) => re.test(x));
      if (l !== undefined) {
        clearTimeout(t);
        part.child.stdout?.off('data', onData);
        part.child.stderr?.off('data', onData);
        resolve(l);
      }
    };
    part.child.stdout?.on('data', onData);
    part.child.stderr?.on('data', onData);
    void part.exited.then((c) => {
      clearTimeout(t);
      reject(new Error(`${part.name} exited with ${c}:\n${part.output}`));
    });
  });
}

export interface RecipeInput {
  readonly grpcAddr: string;
  readonly metricsAddr: string;
  /** undefined: the dashboard is not built. */
  readonly dashAddr: string | undefined;
  /** undefined: the admin page is off (no credentials in the environment). */
  readonly adminUser: string | undefined;
  readonly fleetControl: number;
  readonly api: string;
  readonly stats: string;
}

/**
 * What the demo prints once it is up. web's primary pool is web-1 (127.0.1.1) and web-2
 * (127.0.1.2): failing only web-1 moves its share to web-2; failing both activates the
 * fallback pool (web-3, 127.0.1.3), which is the failover the recipe shows.
 */
export function demoRecipe(r: RecipeInput): string {
  const fleet = `http://127.0.0.1:${r.fleetControl}`;
  const admin =
    r.dashAddr === undefined ? [] :
    r.adminUser !== undefined ? [`  admin page:         http://${r.dashAddr}/admin/ (user ${r.adminUser})`] :
    ['  admin page:         off; to enable it, start the demo with MAGLEV_FRONTEND_USER=admin MAGLEV_FRONTEND_PASSWORD=<secret>'];
  return [
    '',
    'maglev demo is running: VPP simulator + 10 loopback backends + maglevd (examples/maglev-demo.yaml)',
    `  attach the CLI:     node bin/maglevc.js --server ${r.grpcAddr}        (try: show frontends, show vpp lb state)`,
    `  metrics:            curl http://${r.metricsAddr}/metrics`,
    r.dashAddr === undefined ? '  dashboard:          (not built: npm run build)' : `  dashboard:          http://${r.dashAddr}/view/`,
    ...admin,
    '  traffic:            curl http://127.0.9.1/healthz    (the web VIP, through the simulated VPP to web-1/web-2)',
    "  test the VIPs:      node bin/maglevt.js -config examples/maglev-demo.yaml -uri /healthz -insecure -filter '^(web|web-tls|tcp-svc)$'",
    `  who served what:    curl ${fleet}/counts`,
    '  fail over web:      take down both backends of its primary pool (web-1, web-2):',
    `                      curl -X PUT -d '{"kind":"down"}' ${fleet}/backends/127.0.1.1`,
    `                      curl -X PUT -d '{"kind":"down"}' ${fleet}/backends/127.0.1.2`,
    '                      then show frontends web lists pool fallback (active) and the VIP is served by web-3',
    '                      (with only web-1 down, web-2 takes all of web\'s traffic and the pool stays)',
    `  heal them:          curl -X PUT -d '{"kind":"up"}' ${fleet}/backends/127.0.1.1`,
    `                      curl -X PUT -d '{"kind":"up"}' ${fleet}/backends/127.0.1.2`,
    `  VPP sockets:        ${r.api}, ${r.stats}`,
    '  stop:               Ctrl-C',
    '',
  ].join('\n');
}

/** Resolves once a TCP connect to 127.0.0.1:port succeeds; rejects if the part exits or time runs out. */
async function waitForConnect(part: Part, port: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: '127.0.0.1', port }, () => {
        sock.destroy();
        resolve(true);
      });
      sock.once('error', () => resolve(false));
    });
    if (ok) return;
    if (part.child.exitCode !== null) throw new Error(`${part.name} exited with ${part.child.exitCode}:\n${part.output}`);
    if (Date.now() > end) throw new Error(`${part.name}: nothing listening on 127.0.0.1:${port} within ${timeoutMs} ms:\n${part.output}`);
    await sleep(100);
  }
}

export async function main(argv: readonly string[], io: DemoIo = { stdout: process.stdout, stderr: process.stderr, signals: process }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'base-port': { type: 'string', default: '9090' },
        duration: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`maglev-demo: ${(e as Error).message}\n${demoUsage}\n`);
    return 2;
  }
  if (values.help === true) {
    io.stdout.write(`${demoUsage}\n`);
    return 0;
  }
  const base = Number(values['base-port']);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    io.stderr.write('maglev-demo: --base-port must be a port number between 1024 and 65000\n');
    return 2;
  }
  const taken = await takenPort(base);
  if (taken !== undefined) {
    io.stderr.write(`maglev-demo: 127.0.0.1:${taken.port} (${taken.role}, --base-port ${base}) is not free: ${taken.code}; choose other ports with --base-port N (uses N to N+9)\n`);
    return 1;
  }
  const ports = demoPorts(base);
  const grpcAddr = `127.0.0.1:${ports.grpc}`;
  const metricsAddr = `127.0.0.1:${ports.metrics}`;
  const dashAddr = `127.0.0.1:${ports.dashboard}`;
  const fleetControl = ports.fleetControl;
  const env = io.env ?? process.env;
  const dir = mkdtempSync(join(tmpdir(), 'maglev-demo-'));
  const api = join(dir, 'api.sock');
  const stats = join(dir, 'stats.sock');
  const parts: Part[] = [];
  const stopAll = async (): Promise<void> => {
    for (const p of [...parts].reverse()) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    await Promise.all(parts.map((p) => Promise.race([p.exited, new Promise((r) => setTimeout(r, 6000))])));
    for (const p of parts) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const sim = start('maglev-vppsim', [bin('maglev-vppsim'), '--api-socket', api, '--stats-socket', stats, ...demoForwardArgs], env, (line) => {
      // Listeners opened or refused as maglevd programs the VIPs.
      if (values.duration === undefined && /forward/.test(line)) io.stdout.write(`${line}\n`);
    });
    parts.push(sim);
    await waitForLine(sim, /stats listening/, 10_000);
    const fleet = start('maglev-fleet', [
      bin('maglev-fleet'), '--count', '10', '--first', '127.0.1.1', '--http-port', '8080', '--https-port', '8443', '--control-port', String(fleetControl),
    ], env);
    parts.push(fleet);
    await waitForLine(fleet, /fleet-ready/, 10_000);
    let programmed = false;
    const daemon = start(
      'maglevd',
      [bin('maglevd'), '--config', join(root, 'examples', 'maglev-demo.yaml'), '--grpc-addr', grpcAddr, '--metrics-addr', metricsAddr,
        '--vpp-api-addr', api, '--vpp-stats-addr', stats, '--log-level', values['log-level']],
      env,
      (line) => {
        if (line.includes('"vpp-lb-warmup-complete"') || line.includes('"vpp-lb-warmup-max-delay-elapsed"')) programmed = true;
        if (values.duration === undefined) io.stdout.write(`${line}\n`);
      },
    );
    parts.push(daemon);
    await waitForConnect(daemon, ports.grpc, 15_000); // not a log line: --log-level may hide it
    const dashBin = bin('maglevd-frontend');
    const hasDash = existsSync(dashBin) && existsSync(join(root, 'dist', 'web'));
    if (hasDash) parts.push(start('maglevd-frontend', [dashBin, '-server', grpcAddr, '-listen', dashAddr], env));

    const adminUser = env.MAGLEV_FRONTEND_USER ?? '';
    const adminOn = adminUser !== '' && (env.MAGLEV_FRONTEND_PASSWORD ?? '') !== '';
    io.stdout.write(demoRecipe({ grpcAddr, metricsAddr, dashAddr: hasDash ? dashAddr : undefined, adminUser: adminOn ? adminUser : undefined, fleetControl, api, stats }));

    const stopped = new Promise<string>((resolve) => {
      io.signals.once('SIGINT', () => resolve('SIGINT'));
      io.signals.once('SIGTERM', () => resolve('SIGTERM'));
      if (values.duration !== undefined) setTimeout(() => resolve('duration'), Number(values.duration) * 1000);
      for (const p of parts) void p.exited.then(() => resolve(`${p.name} exited`));
    });
    const why = await stopped;
    const failedPart = parts.find((p) => p.child.exitCode !== null);
    await stopAll();
    if (failedPart !== undefined) {
      io.stderr.write(`maglev-demo: ${failedPart.name} stopped unexpectedly:\n${failedPart.output.slice(-4000)}\n${portClashHint(failedPart.output, base)}`);
      return 1;
    }
    if (why === 'duration' && !programmed) {
      io.stderr.write('maglev-demo: maglevd did not finish its warmup (nothing programmed into the simulator)\n');
      return 1;
    }
    return 0;
  } catch (e) {
    io.stderr.write(`maglev-demo: ${(e as Error).message}\n${portClashHint((e as Error).message, base)}`);
    await stopAll();
    return 1;
  }
}
