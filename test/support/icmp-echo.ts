// Test helper: one ICMP echo over the native addon's socket (ping or raw), used by the addon
// and netns tests to show the round trip works on this machine, also from inside a namespace.

import { loadNative } from '../../src/shared/native.js';

export interface EchoOutcome {
  readonly raw: boolean;
  readonly from: string;
  /** The ICMP message (IPv4 header stripped). */
  readonly icmp: Buffer;
}

function checksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < b.length; i += 2) sum += ((b[i] ?? 0) << 8) + (b[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Sends one echo request with `seq` to address and resolves with the first reply (or rejects on timeout). */
export async function echoOnce(family: 4 | 6, address: string, seq: number, timeoutMs = 1000): Promise<EchoOutcome> {
  const n = loadNative();
  const { fd, raw } = n.openIcmpSocket(family);
  const req = Buffer.alloc(8 + 16);
  req[0] = family === 4 ? 8 : 128;
  req.writeUInt16BE(0x4d47, 4);
  req.writeUInt16BE(seq, 6);
  req.write('maglev-echo-test', 8);
  if (family === 4) req.writeUInt16BE(checksum(req), 2); // ICMPv6: the kernel sums
  const buf = Buffer.alloc(2048);
  let watch = -1;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<EchoOutcome>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no echo reply from ${address} in ${timeoutMs} ms`)), timeoutMs);
      watch = n.watchReadable(fd, () => {
        for (;;) {
          const got = n.recvFrom(fd, buf);
          if (got === null) return;
          let icmp = Buffer.from(buf.subarray(0, got.bytes));
          if (family === 4 && raw) icmp = icmp.subarray(((icmp[0] ?? 0) & 0x0f) * 4);
          const isReply = icmp[0] === (family === 4 ? 0 : 129);
          if (isReply && icmp.readUInt16BE(6) === seq) resolve({ raw, from: got.address, icmp });
        }
      });
      n.sendTo(fd, req, address);
    });
  } finally {
    clearTimeout(timer);
    n.unwatch(watch);
    n.closeFd(fd);
  }
}
