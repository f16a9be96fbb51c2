import t from 'tap';
import { crc32cUpdate, lbFlowHash, type FlowTuple } from '../../../src/vpp/sim/flow-hash.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** The standard CRC-32C: inverted in and out around the raw update. */
const crc32c = (b: Uint8Array): number => ~crc32cUpdate(0xffffffff, b) >>> 0;

t.test('CRC-32C', async (t) => {
  const cases: Array<{ name: string; in: Uint8Array; want: number }> = [
    { name: 'the catalogue check value of "123456789"', in: text('123456789'), want: 0xe3069283 },
    // RFC 3720 (iSCSI) appendix B.4.
    { name: '32 zero bytes', in: new Uint8Array(32), want: 0x8a9136aa },
    { name: '32 bytes of 0xff', in: new Uint8Array(32).fill(0xff), want: 0x62a8ab43 },
    { name: '32 incrementing bytes', in: Uint8Array.from({ length: 32 }, (_, i) => i), want: 0x46dd794e },
    { name: '32 decrementing bytes', in: Uint8Array.from({ length: 32 }, (_, i) => 31 - i), want: 0x113fdb5c },
    { name: 'nothing', in: new Uint8Array(0), want: 0 },
  ];
  for (const c of cases) t.equal(crc32c(c.in), c.want, c.name);
});

t.test('the raw update is what the crc32 instruction computes', async (t) => {
  // Values from SSE4.2's _mm_crc32_u64/_mm_crc32_u8 starting from 0 (gcc -msse4.2): the
  // instruction reads a u64 in little-endian byte order and does not invert.
  const cases: Array<{ name: string; in: Uint8Array; want: number }> = [
    { name: '_mm_crc32_u64(0, 0x0123456789abcdef)', in: bytes(0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01), want: 0xe9986aa9 },
    { name: 'zeros from 0 stay 0', in: new Uint8Array(8), want: 0 },
  ];
  for (const c of cases) t.equal(crc32cUpdate(0, c.in), c.want, c.name);
  t.equal(crc32cUpdate(crc32cUpdate(0, text('1234')), text('56789')), crc32cUpdate(0, text('123456789')), 'updates chain');
});

t.test("lb_node_get_hash's values", async (t) => {
  // Expected values from a C program that lays the addresses and ports out in network order as
  // the packet holds them and chains _mm_crc32_u64 over lb_hash_hash's five words.
  const cases: Array<{ name: string; in: FlowTuple; want: { flow: number; sticky: number } }> = [
    {
      name: 'IPv4 loopback client to the demo web VIP',
      in: { src: '127.0.0.1', srcPort: 40000, dst: '127.0.9.1', dstPort: 80 },
      want: { flow: 0x59a92084, sticky: 0xfabe7357 },
    },
    {
      name: 'the next source port: another flow hash, the same sticky hash',
      in: { src: '127.0.0.1', srcPort: 40001, dst: '127.0.9.1', dstPort: 80 },
      want: { flow: 0xae72eba1, sticky: 0xfabe7357 },
    },
    { name: 'IPv4 documentation addresses', in: { src: '10.1.2.3', srcPort: 12345, dst: '192.0.2.1', dstPort: 443 }, want: { flow: 0x388ac513, sticky: 0x119ea958 } },
    { name: 'IPv4 high ports', in: { src: '127.0.0.5', srcPort: 55555, dst: '127.0.9.4', dstPort: 8080 }, want: { flow: 0xd72a6c0f, sticky: 0x3e2edfae } },
    { name: 'IPv6', in: { src: '2001:db8::1', srcPort: 40000, dst: '2001:db8::9:1', dstPort: 80 }, want: { flow: 0x055d32c2, sticky: 0xda170d30 } },
    { name: 'IPv6 loopback, extreme ports', in: { src: '::1', srcPort: 1, dst: '::1', dstPort: 65535 }, want: { flow: 0x801f7f93, sticky: 0xda0a1dd5 } },
  ];
  for (const c of cases) {
    t.same({ flow: lbFlowHash(c.in, false), sticky: lbFlowHash(c.in, true) }, c.want, c.name);
  }
});

t.test('refuses mixed families and non-addresses', async (t) => {
  t.throws(() => lbFlowHash({ src: '127.0.0.1', srcPort: 1, dst: '::1', dstPort: 2 }, false), /not two addresses of one family/);
  t.throws(() => lbFlowHash({ src: 'localhost', srcPort: 1, dst: '127.0.0.1', dstPort: 2 }, false), /not two addresses/);
});
