// maglev-demo (`npm run demo`): the whole system on one machine, each part its own process as
// in production: the VPP simulator (api.sock + stats.sock), a loopback test fleet, maglevd
// with examples/maglev-demo.yaml, and the dashboard when it is built. The simulator forwards:
// TCP connections to the loopback VIPs reach the fleet through its Maglev tables, so curl and
// maglevt work against the VIPs. The fleet serves http on 8080 and https on 8443, so VIP ports
// 80 and 443 map to those on the AS (the other VIPs keep their port, as GRE does). Prints how
// to attach maglevc, send traffic and make backends fail; Ctrl-C stops everything.
// --duration N stops after N seconds (exit 0 only if maglevd programmed the simulator).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface DemoIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly signals: NodeJS.EventEmitter;
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

function start(name: string, args: string[], onLine?: (line: string) => void): Part {
  const env = { ...process.env };
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

export async function main(argv: readonly string[], io: DemoIo = { stdout: process.stdout, stderr: process.stderr, signals: process }): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        'base-port': { type: 'string', default: '9090' },
        duration: { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
      },
    }));
  } catch (e) {
    io.stderr.write(`maglev-demo: ${(e as Error).message}\nusage: maglev-demo [--base-port 9090] [--duration seconds] [--log-level info]\n`);
    return 2;
  }
  const base = Number(values['base-port']);
  if (!Number.isInteger(base) || base < 1024 || base > 65000) {
    io.stderr.write('maglev-demo: --base-port must be a port number between 1024 and 65000\n');
    return 2;
  }
  const grpcAddr = `127.0.0.1:${base}`;
  const metricsAddr = `127.0.0.1:${base + 1}`;
  const dashAddr = `127.0.0.1:${base + 2}`;
  const fleetControl = base + 9;
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
    const sim = start('maglev-vppsim', [bin('maglev-vppsim'), '--api-socket', api, '--stats-socket', stats, ...demoForwardArgs], (line) => {
      // Listeners opened or refused as maglevd programs the VIPs.
      if (values.duration === undefined && /forward/.test(line)) io.stdout.write(`${line}\n`);
    });
    parts.push(sim);
    await waitForLine(sim, /stats listening/, 10_000);
    const fleet = start('maglev-fleet', [
      bin('maglev-fleet'), '--count', '10', '--first', '127.0.1.1', '--http-port', '8080', '--https-port', '8443', '--control-port', String(fleetControl),
    ]);
    parts.push(fleet);
    await waitForLine(fleet, /fleet-ready/, 10_000);
    let programmed = false;
    const daemon = start(
      'maglevd',
      [bin('maglevd'), '--config', join(root, 'examples', 'maglev-demo.yaml'), '--grpc-addr', grpcAddr, '--metrics-addr', metricsAddr,
        '--vpp-api-addr', api, '--vpp-stats-addr', stats, '--log-level', values['log-level']],
      (line) => {
        if (line.includes('"vpp-lb-warmup-complete"') || line.includes('"vpp-lb-warmup-max-delay-elapsed"')) programmed = true;
        if (values.duration === undefined) io.stdout.write(`${line}\n`);
      },
    );
    parts.push(daemon);
    await waitForLine(daemon, /"grpc-listen"/, 15_000);
    const dashBin = bin('maglevd-frontend');
    const hasDash = existsSync(dashBin) && existsSync(join(root, 'dist', 'web'));
    if (hasDash) parts.push(start('maglevd-frontend', [dashBin, '-server', grpcAddr, '-listen', dashAddr]));

    io.stdout.write(
      [
        '',
        'maglev demo is running: VPP simulator + 10 loopback backends + maglevd (examples/maglev-demo.yaml)',
        `  attach the CLI:     node bin/maglevc.js --server ${grpcAddr}        (try: show frontends, show vpp lb state)`,
        `  metrics:            curl http://${metricsAddr}/metrics`,
        hasDash ? `  dashboard:          http://${dashAddr}/view/` : '  dashboard:          (not built)',
        '  traffic:            curl http://127.0.9.1/healthz    (the web VIP, through the simulated VPP to web-1/web-2)',
        "  test the VIPs:      node bin/maglevt.js -config examples/maglev-demo.yaml -uri /healthz -insecure -filter '^(web|web-tls|tcp-svc)$'",
        `  who served what:    curl http://127.0.0.1:${fleetControl}/counts`,
        `  fail a backend:     curl -X PUT -d '{"kind":"down"}' http://127.0.0.1:${fleetControl}/backends/127.0.1.1`,
        `  heal it:            curl -X PUT -d '{"kind":"up"}' http://127.0.0.1:${fleetControl}/backends/127.0.1.1`,
        `  VPP sockets:        ${api}, ${stats}`,
        '  stop:               Ctrl-C',
        '',
      ].join('\n'),
    );

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
      io.stderr.write(`maglev-demo: ${failedPart.name} stopped unexpectedly:\n${failedPart.output.slice(-4000)}\n`);
      return 1;
    }
    if (why === 'duration' && !programmed) {
      io.stderr.write('maglev-demo: maglevd did not finish its warmup (nothing programmed into the simulator)\n');
      return 1;
    }
    return 0;
  } catch (e) {
    io.stderr.write(`maglev-demo: ${(e as Error).message}\n`);
    await stopAll();
    return 1;
  }
}
