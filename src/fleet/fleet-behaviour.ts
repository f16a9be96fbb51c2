// What one fleet backend does with a probe, switchable at run time: answer (up, a status, a
// body with a given framing, raw bytes), answer late, never answer, reset, or refuse (down),
// and fault injections: half-open, trickle, TLS stall, a bad certificate,
// huge and gzip-bomb bodies. Also the validation of behaviours arriving as JSON on the control
// endpoint, and the bytes of each HTTP answer (streamed bodies: fleet-streamed-body.ts).

export type BodyFraming = 'length' | 'chunked' | 'close';

/** Which bad certificate the `certificate` behaviour serves (see fleet-fault-certificates.ts). */
export type FaultCertificate = 'expired' | 'wrong-name';
const faultCertificates: readonly FaultCertificate[] = ['expired', 'wrong-name'];

/** The largest streamed body: 1 TiB (only what a client reads is ever produced). */
export const maxStreamedBytes = 2 ** 40;

export type FleetBehaviour =
  /** 200 with body "ok". */
  | { readonly kind: 'up' }
  /** Listeners closed: connections are refused. */
  | { readonly kind: 'down' }
  /** This status, body "status <code>". */
  | { readonly kind: 'status'; readonly code: number }
  /** 200 "ok", after delayMs (the TLS handshake is not delayed). */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Accept and never answer: no TLS handshake, no HTTP response. */
  | { readonly kind: 'silent' }
  /** RST right after accept. */
  | { readonly kind: 'reset' }
  /** A body with the chosen framing (chunks of chunkSize bytes, default 4096). */
  | { readonly kind: 'body'; readonly status?: number; readonly body: string; readonly framing: BodyFraming; readonly chunkSize?: number }
  /** These bytes verbatim (latin1), then close. */
  | { readonly kind: 'raw'; readonly response: string }
  /** Accept, complete TLS, read the request, then neither answer nor close (a frozen application). */
  | { readonly kind: 'half-open' }
  /** The `up` answer, one byte every intervalMs. */
  | { readonly kind: 'trickle'; readonly intervalMs: number }
  /** TLS port: accept and read the ClientHello, never answer it. Plain port: `up`. */
  | { readonly kind: 'tls-stall' }
  /** TLS port: this bad certificate, then `up`. Plain port: `up`. */
  | { readonly kind: 'certificate'; readonly certificate: FaultCertificate }
  /** 200 with a Content-Length body of `bytes` bytes of 'x', produced as the client reads. */
  | { readonly kind: 'huge'; readonly bytes: number }
  /** 200, Content-Encoding: gzip, a body that inflates to about `bytes` zero bytes. */
  | { readonly kind: 'gzip-bomb'; readonly bytes: number };

const okResponse = Buffer.from('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok', 'latin1');

/**
 * The bytes a behaviour answers an HTTP request with: undefined for behaviours that never answer
 * and for streamed bodies (huge, gzip-bomb). `trickle` sends these bytes one at a time.
 */
export function responseBytes(b: FleetBehaviour): Buffer | undefined {
  switch (b.kind) {
    case 'up':
    case 'slow':
    case 'trickle':
    case 'tls-stall':
    case 'certificate':
      return okResponse;
    case 'status':
      return framed(b.code, `status ${b.code}`, 'length', 4096);
    case 'body':
      return framed(b.status ?? 200, b.body, b.framing, b.chunkSize ?? 4096);
    case 'raw':
      return Buffer.from(b.response, 'latin1');
    case 'down':
    case 'silent':
    case 'reset':
    case 'half-open':
    case 'huge':
    case 'gzip-bomb':
      return undefined;
    default: {
      const exhaustive: never = b;
      throw new Error(`unknown behaviour ${String(exhaustive)}`);
    }
  }
}

function framed(status: number, body: string, framing: BodyFraming, chunkSize: number): Buffer {
  const data = Buffer.from(body, 'utf8');
  const head = `HTTP/1.1 ${status} Fleet\r\nContent-Type: text/plain\r\nConnection: close\r\n`;
  if (framing === 'length') return Buffer.concat([Buffer.from(`${head}Content-Length: ${data.length}\r\n\r\n`, 'latin1'), data]);
  if (framing === 'close') return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), data]);
  const parts: Buffer[] = [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, 'latin1')];
  for (let at = 0; at < data.length; at += chunkSize) {
    const chunk = data.subarray(at, at + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`, 'latin1'), chunk, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
  return Buffer.concat(parts);
}

/** Validates a behaviour received as JSON; throws a TypeError naming the problem. */
export function parseBehaviour(v: unknown): FleetBehaviour {
  if (typeof v !== 'object' || v === null) throw new TypeError('behaviour must be an object');
  const o = v as Record<string, unknown>;
  const int = (key: string, min: number, max: number): number => {
    const n = o[key];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) throw new TypeError(`${key} must be an integer in ${min}..${max}`);
    return n;
  };
  const str = (key: string): string => {
    const s = o[key];
    if (typeof s !== 'string') throw new TypeError(`${key} must be a string`);
    return s;
  };
  switch (o['kind']) {
    case 'up':
    case 'down':
    case 'silent':
    case 'reset':
    case 'half-open':
    case 'tls-stall':
      return { kind: o['kind'] };
    case 'trickle':
      return { kind: 'trickle', intervalMs: int('intervalMs', 1, 60_000) };
    case 'certificate': {
      const c = faultCertificates.find((f) => f === o['certificate']);
      if (c === undefined) throw new TypeError(`certificate must be one of ${faultCertificates.join(', ')}`);
      return { kind: 'certificate', certificate: c };
    }
    case 'huge':
    case 'gzip-bomb':
      return { kind: o['kind'], bytes: int('bytes', 1, maxStreamedBytes) };
    case 'status':
      return { kind: 'status', code: int('code', 100, 599) };
    case 'slow':
      return { kind: 'slow', delayMs: int('delayMs', 0, 3_600_000) };
    case 'raw':
      return { kind: 'raw', response: str('response') };
    case 'body': {
      const framing = o['framing'] ?? 'length';
      if (framing !== 'length' && framing !== 'chunked' && framing !== 'close') throw new TypeError('framing must be length, chunked or close');
      return {
        kind: 'body',
        body: str('body'),
        framing,
        ...(o['status'] === undefined ? {} : { status: int('status', 100, 599) }),
        ...(o['chunkSize'] === undefined ? {} : { chunkSize: int('chunkSize', 1, 1 << 20) }),
      };
    }
    default:
      throw new TypeError('kind must be one of up, down, status, slow, silent, reset, body, raw, half-open, trickle, tls-stall, certificate, huge, gzip-bomb');
  }
}
