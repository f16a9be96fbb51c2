// The fleet's HTTP control endpoint on 127.0.0.1, for processes that do not hold the Fleet
// object (benchmarks, the demo):
//   GET  /backends              → [{address, behaviour, connections, open, requests, handshakes}]
//   POST /backends              {addresses, behaviour?} → add
//   PUT  /backends              behaviour → every backend
//   PUT  /backends/<address>    behaviour → one backend
//   GET  /counts                → {address: connections}
//   POST /reset-counts
//   GET  /agents                → {address: answer}   (agent-check answers, fleet-agents.ts)
//   PUT  /agents                {answer} → every backend's agent
//   PUT  /agents/<address>      {answer} → one backend's agent
// Bodies and answers are JSON; a bad request answers 400 {error}.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BackendStats } from './fleet-backend.js';
import { parseBehaviour, type FleetBehaviour } from './fleet-behaviour.js';

/** What the endpoint needs from the fleet. */
export interface FleetControlTarget {
  add(addresses: readonly string[], behaviour?: FleetBehaviour): Promise<void>;
  set(address: string, behaviour: FleetBehaviour): Promise<void>;
  setAll(behaviour: FleetBehaviour): Promise<void>;
  behaviour(address: string): FleetBehaviour | undefined;
  stats(address: string): BackendStats | undefined;
  count(address: string): number;
  resetCounts(): void;
  addresses(): string[];
  setAgentAnswer(address: string, answer: string): void;
  setAllAgentAnswers(answer: string): void;
  agentAnswers(): Record<string, string>;
}

function agentAnswerOf(body: unknown): string {
  const answer = (body as { answer?: unknown } | undefined)?.answer;
  if (typeof answer !== 'string') throw new TypeError('answer must be a string');
  return answer;
}

export interface FleetControl {
  readonly port: number;
  close(): Promise<void>;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const chunk of req) parts.push(chunk as Buffer);
  const text = Buffer.concat(parts).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

async function route(fleet: FleetControlTarget, req: http.IncomingMessage): Promise<unknown> {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://fleet').pathname);
  const method = req.method ?? 'GET';
  if (method === 'GET' && path === '/backends') {
    return fleet.addresses().map((address) => {
      const s = fleet.stats(address);
      return { address, behaviour: fleet.behaviour(address), connections: s?.connections, open: s?.open, requests: s?.requests, handshakes: s?.handshakes };
    });
  }
  if (method === 'GET' && path === '/agents') return fleet.agentAnswers();
  if (method === 'GET' && path === '/counts') return Object.fromEntries(fleet.addresses().map((a) => [a, fleet.count(a)]));
  if (method === 'POST' && path === '/reset-counts') {
    fleet.resetCounts();
    return { ok: true };
  }
  const body = await readJson(req);
  if (method === 'POST' && path === '/backends') {
    const o = (body ?? {}) as { addresses?: unknown; behaviour?: unknown };
    if (!Array.isArray(o.addresses) || !o.addresses.every((a) => typeof a === 'string')) throw new TypeError('addresses must be an array of strings');
    await fleet.add(o.addresses, o.behaviour === undefined ? undefined : parseBehaviour(o.behaviour));
    return { ok: true };
  }
  if (method === 'PUT' && path === '/backends') {
    await fleet.setAll(parseBehaviour(body));
    return { ok: true };
  }
  if (method === 'PUT' && path === '/agents') {
    fleet.setAllAgentAnswers(agentAnswerOf(body));
    return { ok: true };
  }
  if (method === 'PUT' && path.startsWith('/agents/')) {
    fleet.setAgentAnswer(path.slice('/agents/'.length), agentAnswerOf(body));
    return { ok: true };
  }
  if (method === 'PUT' && path.startsWith('/backends/')) {
    await fleet.set(path.slice('/backends/'.length), parseBehaviour(body));
    return { ok: true };
  }
  throw new TypeError(`no route ${method} ${path}`);
}

export async function startFleetControl(fleet: FleetControlTarget, port: number): Promise<FleetControl> {
  const server = http.createServer((req, res) => {
    route(fleet, req).then(
      (answer) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      },
      (err: unknown) => {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ host: '127.0.0.1', port }, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
