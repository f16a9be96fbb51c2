// maglev-vppsim: runs the VPP simulator as a process (for end-to-end tests and demos) until
// SIGTERM or SIGINT. Flags: --api-socket (required), --stats-socket, --msg-id-base, --threads,
// --pid, --omit name,name, --crc name=crc (repeatable), --filler-messages, --as-write-log (one
// line per AS write as it arrives, with a microsecond wall clock, for latency benchmarks), and the
// forwarding mode: --forward, --forward-ports, --forward-as-ports (forwarder.ts).

import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { isMessageName, type MessageName } from '../messages.js';
import { startVppSim } from './vppsim.js';

const usage = `usage: maglev-vppsim --api-socket PATH [--stats-socket PATH] [--msg-id-base N] [--threads N]
                     [--pid N] [--omit MSG,MSG] [--crc MSG=CRC]... [--filler-messages N] [--as-write-log PATH]
                     [--forward [--forward-ports P,P] [--forward-as-ports VIPPORT=ASPORT,...]]
  --as-write-log       append one line per AS write as it arrives (unix ms, message, VIP, AS, weight)
  --forward            carry TCP traffic: listen on every loopback TCP VIP (127.0.0.0/8, ::1) on its
                       port, pick each connection's AS as VPP's lb does (flow hash, sticky table,
                       Maglev table) and relay it there; the lb and route counters count it
  --forward-ports      ports to listen on for all-port VIPs (default: none)
  --forward-as-ports   the port an AS serves a VIP port on, e.g. 80=8080 (default: the VIP's port)`;

const asWrites: ReadonlySet<string> = new Set(['lb_as_set_weight', 'lb_add_del_as_v2', 'lb_add_del_as']);

/** "<unix ms, 3 decimals> <msg> <pfx> <protocol> <port> <as_address> <weight>": one AS write. */
export function asWriteLine(nowMs: number, msg: string, body: Readonly<Record<string, unknown>>): string {
  return `${nowMs.toFixed(3)} ${msg} ${String(body.pfx)} ${String(body.protocol)} ${String(body.port)} ${String(body.as_address)} ${String(body.weight)}\n`;
}

function intFlag(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name}: want an integer ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

function messageList(v: string | undefined): MessageName[] {
  const names = (v ?? '').split(',').filter((s) => s !== '');
  for (const n of names) if (!isMessageName(n)) throw new Error(`--omit: unknown message ${n}`);
  return names as MessageName[];
}

function portOf(flag: string, text: string): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 65535) throw new Error(`--${flag}: ${JSON.stringify(text)} is not a port`);
  return n;
}

/** `8080,8443` → [8080, 8443]. */
function portList(v: string | undefined): number[] {
  return (v ?? '').split(',').filter((s) => s !== '').map((p) => portOf('forward-ports', p.trim()));
}

/** `80=8080,443=8443` → {80 → 8080, 443 → 8443}. */
function portMap(v: string | undefined): Map<number, number> {
  const out = new Map<number, number>();
  for (const item of (v ?? '').split(',').filter((s) => s !== '')) {
    const [from, to, ...rest] = item.split('=');
    if (from === undefined || to === undefined || rest.length > 0) throw new Error(`--forward-as-ports: want VIPPORT=ASPORT, got ${JSON.stringify(item)}`);
    out.set(portOf('forward-as-ports', from.trim()), portOf('forward-as-ports', to.trim()));
  }
  return out;
}

function crcOverrides(list: readonly string[]): Partial<Record<MessageName, string>> {
  const out: Partial<Record<MessageName, string>> = {};
  for (const item of list) {
    const [name = '', crc = ''] = item.split('=');
    if (!isMessageName(name) || !/^[0-9a-f]{8}$/.test(crc)) throw new Error(`--crc: want MSG=8hexdigits, got ${JSON.stringify(item)}`);
    out[name] = crc;
  }
  return out;
}

export interface VppSimIo {
  out(text: string): void;
  err(text: string): void;
  /** Resolves when the simulator should stop (default: SIGTERM or SIGINT). */
  stopped(): Promise<void>;
}

function processIo(): VppSimIo {
  return {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    stopped: () =>
      new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      }),
  };
}

/** Runs the simulator until stopped; resolves to the exit code (2 on a usage error). */
export async function main(argv: readonly string[], io: VppSimIo = processIo()): Promise<number> {
  let opts;
  let asWriteLog: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        'api-socket': { type: 'string' },
        'stats-socket': { type: 'string' },
        'msg-id-base': { type: 'string' },
        threads: { type: 'string' },
        pid: { type: 'string' },
        omit: { type: 'string' },
        crc: { type: 'string', multiple: true },
        'filler-messages': { type: 'string' },
        'as-write-log': { type: 'string' },
        forward: { type: 'boolean' },
        'forward-ports': { type: 'string' },
        'forward-as-ports': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help === true) {
      io.out(`${usage}\n`);
      return 0;
    }
    if (values['api-socket'] === undefined || values['api-socket'] === '') throw new Error('--api-socket is required');
    for (const f of ['forward-ports', 'forward-as-ports'] as const) if (values[f] !== undefined && values.forward !== true) throw new Error(`--${f} needs --forward`);
    const forward =
      values.forward === true
        ? { allPortPorts: portList(values['forward-ports']), asPorts: portMap(values['forward-as-ports']), log: (line: string) => io.out(`maglev-vppsim: ${line}\n`) }
        : undefined;
    opts = {
      apiSocket: values['api-socket'],
      statsSocket: values['stats-socket'] === '' ? undefined : values['stats-socket'],
      msgIdBase: intFlag('msg-id-base', values['msg-id-base'], 25),
      threads: intFlag('threads', values.threads, 1),
      pid: intFlag('pid', values.pid, 1),
      omitMessages: messageList(values.omit),
      crcOverrides: crcOverrides(values.crc ?? []),
      fillerMessages: intFlag('filler-messages', values['filler-messages'], 0),
      forward,
    };
    asWriteLog = values['as-write-log'] === '' ? undefined : values['as-write-log'];
  } catch (e) {
    io.err(`maglev-vppsim: ${e instanceof Error ? e.message : String(e)}\n${usage}\n`);
    return 2;
  }
  const stopped = io.stopped();
  let sim;
  try {
    sim = await startVppSim(opts);
  } catch (e) {
    io.err(`maglev-vppsim: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const writeLog = asWriteLog === undefined ? undefined : createWriteStream(asWriteLog, { flags: 'a' });
  if (writeLog !== undefined) {
    // performance.timeOrigin + now(): a wall clock with sub-millisecond steps, comparable across processes.
    sim.onRequest((r) => {
      if (asWrites.has(r.name)) writeLog.write(asWriteLine(performance.timeOrigin + performance.now(), r.name, r.body));
    });
  }
  io.out(`maglev-vppsim: api listening on ${opts.apiSocket} (pid ${sim.pid})\n`);
  if (opts.statsSocket !== undefined) io.out(`maglev-vppsim: stats listening on ${opts.statsSocket}\n`);
  await stopped;
  await sim.close();
  if (writeLog !== undefined) await new Promise<void>((resolve) => writeLog.end(resolve));
  io.out('maglev-vppsim: stopped\n');
  return 0;
}
