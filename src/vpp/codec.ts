// Encodes and decodes VPP API message bodies by walking the table in messages.ts: big-endian integers, packed structs, vl_api_address_t (17 B) and prefix (18 B),
// fixed NUL-padded strings, u32-length variable strings, and count-prefixed arrays.
// Decoding applies the client rule for IPv4-in-IPv6 addresses unless told to keep wire forms.

import { DaemonError } from '../shared/errors.js';
import { ipFamily, ipFromBytes, ipToBytes } from '../shared/ip-address.js';
import { vppMessages, type FieldDef, type HeaderShape, type MessageBody, type MessageName } from './messages.js';

export interface MessageHeader {
  readonly context: number;
  /** Present in `client`-shaped headers (requests, and sockclnt_create_reply). */
  readonly clientIndex?: number;
}

export interface DecodedMessage<N extends MessageName> {
  readonly name: N;
  readonly id: number;
  readonly context: number;
  readonly clientIndex: number | undefined;
  readonly body: MessageBody<N>;
}

export interface DecodeOptions {
  /**
   * 'ipv4' (default, the client rule): an IPv6 address of twelve zero bytes and a non-zero tail is
   * IPv4, and a prefix length ≥ 96 on it loses 96. 'wire': keep af as sent (the simulator, like VPP).
   */
  readonly ipv4InIpv6?: 'ipv4' | 'wire';
}

const headerSize: Record<HeaderShape, number> = { client: 10, context: 6 };

/** Offset of `context` in a message of this header shape. */
export function contextOffset(shape: HeaderShape): number {
  return shape === 'client' ? 6 : 2;
}

/** The u16 message id at the start of every message. */
export function readMsgId(msg: Buffer): number {
  if (msg.length < 2) throw new DaemonError('VPP_PROTOCOL', `message of ${msg.length} bytes has no id`);
  return msg.readUInt16BE(0);
}

/** The byte size of a message, or undefined when it holds variable parts (vstring, array). */
export function messageFixedSize(name: MessageName): number | undefined {
  const def = vppMessages[name];
  const body = fixedSize(def.fields);
  return body === undefined ? undefined : headerSize[def.header] + body;
}

function fixedSize(fields: readonly FieldDef[]): number | undefined {
  let n = 0;
  for (const f of fields) {
    const s = f.type === 'array' || f.type === 'vstring' ? undefined : scalarSize(f);
    if (s === undefined) return undefined;
    n += s;
  }
  return n;
}

function scalarSize(f: FieldDef): number {
  switch (f.type) {
    case 'u8':
    case 'bool':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
    case 'i32':
    case 'enum32':
    case 'ip4':
      return 4;
    case 'u64':
      return 8;
    case 'ip6':
      return 16;
    case 'address':
      return 17;
    case 'prefix':
      return 18;
    case 'string':
    case 'bytes':
      return f.size;
    case 'vstring':
    case 'array':
      throw new TypeError(`${f.name} has no fixed size`);
  }
}

// ---- encoding --------------------------------------------------------------------------------

type Rec = Record<string, unknown>;

/** Encodes one message (without the 16-byte frame header). */
export function encodeMessage<N extends MessageName>(name: N, id: number, header: MessageHeader, body: MessageBody<N>): Buffer {
  const def = vppMessages[name];
  const parts: Buffer[] = [];
  const head = Buffer.alloc(headerSize[def.header]);
  head.writeUInt16BE(id, 0);
  if (def.header === 'client') {
    head.writeUInt32BE(header.clientIndex ?? 0, 2);
    head.writeUInt32BE(header.context >>> 0, 6);
  } else {
    head.writeUInt32BE(header.context >>> 0, 2);
  }
  parts.push(head);
  encodeFields(name, def.fields, body, parts);
  return Buffer.concat(parts);
}

function encodeFields(msg: string, fields: readonly FieldDef[], value: Rec, out: Buffer[]): void {
  for (const f of fields) {
    const v = value[f.name];
    if (v === undefined) throw new TypeError(`${msg}: field ${f.name} missing`);
    if (f.type === 'array') {
      const items = v as Rec[];
      const count = Buffer.alloc(countSize(f.count));
      writeUInt(count, 0, f.count, items.length);
      out.push(count);
      for (const item of items) encodeFields(msg, f.of, item, out);
      continue;
    }
    if (f.type === 'vstring') {
      const text = Buffer.from(v as string, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(text.length, 0);
      out.push(len, text);
      continue;
    }
    const b = Buffer.alloc(scalarSize(f));
    writeScalar(b, f, v);
    out.push(b);
  }
}

function countSize(t: 'u8' | 'u16' | 'u32'): number {
  return t === 'u8' ? 1 : t === 'u16' ? 2 : 4;
}

function writeUInt(b: Buffer, off: number, t: 'u8' | 'u16' | 'u32', v: number): void {
  if (t === 'u8') b.writeUInt8(v, off);
  else if (t === 'u16') b.writeUInt16BE(v, off);
  else b.writeUInt32BE(v, off);
}

function writeScalar(b: Buffer, f: FieldDef, v: unknown): void {
  switch (f.type) {
    case 'u8':
      b.writeUInt8(v as number, 0);
      return;
    case 'bool':
      b.writeUInt8(v === true ? 1 : 0, 0);
      return;
    case 'u16':
      b.writeUInt16BE(v as number, 0);
      return;
    case 'u32':
    case 'enum32':
      b.writeUInt32BE(v as number, 0);
      return;
    case 'i32':
      b.writeInt32BE(v as number, 0);
      return;
    case 'u64':
      b.writeBigUInt64BE(v as bigint, 0);
      return;
    case 'ip4':
    case 'ip6': {
      const bytes = ipToBytes(v as string);
      if (bytes.length !== b.length) throw new TypeError(`${f.name}: ${String(v)} is not IPv${f.type === 'ip4' ? 4 : 6}`);
      b.set(bytes, 0);
      return;
    }
    case 'address':
      writeAddress(b, 0, v as string);
      return;
    case 'prefix': {
      const { address, len } = splitPrefix(v as string);
      writeAddress(b, 0, address);
      b.writeUInt8(len, 17);
      return;
    }
    case 'string': {
      // Keep at least one NUL: VPP reads these as C strings.
      const text = Buffer.from(v as string, 'utf8');
      text.copy(b, 0, 0, Math.min(text.length, f.size - 1));
      return;
    }
    case 'bytes':
      b.set((v as Uint8Array).subarray(0, f.size), 0);
      return;
    case 'vstring':
    case 'array':
      throw new TypeError('unreachable');
  }
}

/** vl_api_address_t: u8 af + 16 bytes, IPv4 in un[0..3]. */
function writeAddress(b: Buffer, off: number, text: string): void {
  const fam = ipFamily(text);
  if (fam === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
  b.writeUInt8(fam === 4 ? 0 : 1, off);
  b.set(ipToBytes(text), off + 1);
}

/** "addr/len" → parts; a bare address gets the full length. */
export function splitPrefix(text: string): { address: string; len: number } {
  const slash = text.lastIndexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const fam = ipFamily(address);
  if (fam === undefined) throw new TypeError(`not an IP prefix: ${JSON.stringify(text)}`);
  const max = fam === 4 ? 32 : 128;
  const len = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(len) || len < 0 || len > max) throw new TypeError(`bad prefix length: ${JSON.stringify(text)}`);
  return { address, len };
}

// ---- decoding --------------------------------------------------------------------------------

/** Decodes one message as `name`. Too short → VPP_PROTOCOL; trailing bytes are ignored. */
export function decodeMessage<N extends MessageName>(name: N, msg: Buffer, opts: DecodeOptions = {}): DecodedMessage<N> {
  const def = vppMessages[name];
  const need = headerSize[def.header];
  if (msg.length < need) throw short(name, msg.length, need);
  const id = msg.readUInt16BE(0);
  const clientIndex = def.header === 'client' ? msg.readUInt32BE(2) : undefined;
  const context = msg.readUInt32BE(contextOffset(def.header));
  const cur = { off: need };
  const body = decodeFields(name, def.fields, msg, cur, opts.ipv4InIpv6 ?? 'ipv4') as MessageBody<N>;
  return { name, id, context, clientIndex, body };
}

function short(name: string, have: number, need: number): DaemonError {
  return new DaemonError('VPP_PROTOCOL', `${name}: message too short (${have} < ${need} bytes)`);
}

function decodeFields(msg: string, fields: readonly FieldDef[], b: Buffer, cur: { off: number }, v4: 'ipv4' | 'wire'): Rec {
  const out: Rec = {};
  for (const f of fields) {
    if (f.type === 'array') {
      const n = countSize(f.count);
      if (b.length < cur.off + n) throw short(msg, b.length, cur.off + n);
      const count = f.count === 'u8' ? b.readUInt8(cur.off) : f.count === 'u16' ? b.readUInt16BE(cur.off) : b.readUInt32BE(cur.off);
      cur.off += n;
      const items: Rec[] = [];
      for (let i = 0; i < count; i++) items.push(decodeFields(msg, f.of, b, cur, v4));
      out[f.name] = items;
      continue;
    }
    if (f.type === 'vstring') {
      if (b.length < cur.off + 4) throw short(msg, b.length, cur.off + 4);
      const len = b.readUInt32BE(cur.off);
      if (b.length < cur.off + 4 + len) throw short(msg, b.length, cur.off + 4 + len);
      out[f.name] = b.toString('utf8', cur.off + 4, cur.off + 4 + len);
      cur.off += 4 + len;
      continue;
    }
    const size = scalarSize(f);
    if (b.length < cur.off + size) throw short(msg, b.length, cur.off + size);
    out[f.name] = readScalar(b, cur.off, f, v4);
    cur.off += size;
  }
  return out;
}

function readScalar(b: Buffer, off: number, f: FieldDef, v4: 'ipv4' | 'wire'): unknown {
  switch (f.type) {
    case 'u8':
      return b.readUInt8(off);
    case 'bool':
      return b.readUInt8(off) !== 0;
    case 'u16':
      return b.readUInt16BE(off);
    case 'u32':
    case 'enum32':
      return b.readUInt32BE(off);
    case 'i32':
      return b.readInt32BE(off);
    case 'u64':
      return b.readBigUInt64BE(off);
    case 'ip4':
      return ipFromBytes(b.subarray(off, off + 4));
    case 'ip6':
      return ipFromBytes(b.subarray(off, off + 16));
    case 'address':
      return readAddress(b, off, v4).text;
    case 'prefix': {
      const a = readAddress(b, off, v4);
      let len = b.readUInt8(off + 17);
      if (a.fromV6) len = len >= 96 ? len - 96 : Math.min(len, 32);
      return `${a.text}/${len}`;
    }
    case 'string': {
      // Read up to the first NUL: the tail may be garbage.
      const raw = b.subarray(off, off + f.size);
      const nul = raw.indexOf(0);
      return raw.toString('utf8', 0, nul < 0 ? raw.length : nul);
    }
    case 'bytes':
      return new Uint8Array(b.subarray(off, off + f.size));
    case 'vstring':
    case 'array':
      throw new TypeError('unreachable');
  }
}

function readAddress(b: Buffer, off: number, v4: 'ipv4' | 'wire'): { text: string; fromV6: boolean } {
  const af = b.readUInt8(off);
  const un = b.subarray(off + 1, off + 17);
  if (af === 0) return { text: ipFromBytes(un.subarray(0, 4)), fromV6: false };
  if (af !== 1) throw new DaemonError('VPP_PROTOCOL', `bad address family ${af}`);
  if (v4 === 'ipv4' && isIpv4InIpv6(un)) return { text: ipFromBytes(un.subarray(12, 16)), fromV6: true };
  return { text: ipFromBytes(un), fromV6: false };
}

/** ::a.b.c.d: twelve zero bytes then a non-zero tail (`::` itself stays IPv6). */
function isIpv4InIpv6(un: Uint8Array): boolean {
  for (let i = 0; i < 12; i++) if (un[i] !== 0) return false;
  return un[12] !== 0 || un[13] !== 0 || un[14] !== 0 || un[15] !== 0;
}
