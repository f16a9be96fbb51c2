// maglev-fleet: runs the loopback test fleet as its own process for benchmarks and the demo.
// Prints one JSON line when ready ({"msg":"fleet-ready", ports, first, count}), then serves
// until SIGINT/SIGTERM. Behaviours are switched over the control endpoint (fleet-control.ts).

import { parseArgs } from 'node:util';
import { fleetAddresses } from './fleet-addresses.js';
import { startFleet } from './fleet.js';

const usage = `usage: maglev-fleet [--count N] [--first 127.1.0.1] [--http-port 8080] [--https-port 8443] [--control-port 9099] [--agent-port 9999]
  --count N          backends on consecutive loopback addresses (default 100)
  --first ADDR       the first address (default 127.1.0.1)
  --http-port P      plain HTTP/TCP port of every backend (default 8080; 0 = any free port)
  --https-port P     TLS port (https, tcp+ssl); omit for none
  --control-port P   HTTP control endpoint on 127.0.0.1 (default 9099; 0 = any free port)
  --agent-port P     agent-check agents, one per backend, answering "up" until set over the control endpoint; omit for none`;

function portOf(text: string | undefined, fallback: number | undefined, name: string): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RangeError(`--${name} must be a port number`);
  return n;
}

export interface FleetMainIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Emits SIGINT/SIGTERM. */
  readonly signals: NodeJS.EventEmitter;
}

/** Runs the fleet until a signal; resolves with the exit code. */
export async function main(argv: readonly string[], io: FleetMainIo = { stdout: process.stdout, stderr: process.stderr, signals: process }): Promise<number> {
  const { stdout, stderr, signals } = io;
  let values;
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        count: { type: 'string' },
        first: { type: 'string' },
        'http-port': { type: 'string' },
        'https-port': { type: 'string' },
        'control-port': { type: 'string' },
        'agent-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (e) {
    stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
    return 2;
  }
  if (values.help === true) {
    stdout.write(`${usage}\n`);
    return 0;
  }
  let fleet;
  try {
    const count = Number(values.count ?? '100');
    if (!Number.isInteger(count) || count < 0) throw new RangeError('--count must be a non-negative integer');
    const backends = fleetAddresses(count, values.first ?? '127.1.0.1');
    fleet = await startFleet({
      httpPort: portOf(values['http-port'], 8080, 'http-port') ?? 8080,
      httpsPort: portOf(values['https-port'], undefined, 'https-port'),
      controlPort: portOf(values['control-port'], 9099, 'control-port'),
      agentPort: portOf(values['agent-port'], undefined, 'agent-port'),
      backends,
    });
    stdout.write(
      `${JSON.stringify({ msg: 'fleet-ready', count, first: backends[0], httpPort: fleet.httpPort, httpsPort: fleet.httpsPort, controlPort: fleet.controlPort, agentPort: fleet.agentPort })}\n`,
    );
  } catch (e) {
    stderr.write(`maglev-fleet: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    signals.once('SIGINT', resolve);
    signals.once('SIGTERM', resolve);
  });
  await fleet.close();
  return 0;
}
