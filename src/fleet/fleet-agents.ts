// The fleet's agent-check agents (HAProxy `agent-check`): one listener per backend address on the
// fleet's agent port, answering every connection with that backend's current answer line (`up`,
// `drain`, `50%` … or any text, for tests of bad answers) and closing. Answers are settable at
// run time, in process or through the control endpoint, so tests can flip a backend's verdict.

import net from 'node:net';

/** The answer of a backend nobody set one for. */
export const defaultAgentAnswer = 'up';
/** The longest answer the fleet sends (maglevd reads at most 512 bytes; longer ones test that). */
const maxAnswerChars = 4096;

export class FleetAgents {
  readonly port: number;
  readonly #servers = new Map<string, net.Server>();
  readonly #answers = new Map<string, string>();

  constructor(port: number) {
    this.port = port;
  }

  /** Starts the agent of `address` (answering `up`); a known address is left alone. */
  async add(address: string): Promise<void> {
    if (this.#servers.has(address)) return;
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      socket.end(`${this.#answers.get(address) ?? defaultAgentAnswer}\n`, 'latin1');
    });
    this.#servers.set(address, server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port: this.port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  /** Sets the answer line (without its newline) of one backend's agent; throws for an unknown address. */
  set(address: string, answer: string): void {
    if (!this.#servers.has(address)) throw new RangeError(`unknown fleet agent ${address}`);
    if (answer.length > maxAnswerChars || answer.includes('\n')) throw new RangeError(`an agent answer is one line of at most ${maxAnswerChars} characters`);
    this.#answers.set(address, answer);
  }

  setAll(answer: string): void {
    for (const a of this.#servers.keys()) this.set(a, answer);
  }

  answer(address: string): string | undefined {
    return this.#servers.has(address) ? (this.#answers.get(address) ?? defaultAgentAnswer) : undefined;
  }

  answers(): Record<string, string> {
    return Object.fromEntries([...this.#servers.keys()].map((a) => [a, this.answer(a)!]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#servers.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    this.#servers.clear();
  }
}
