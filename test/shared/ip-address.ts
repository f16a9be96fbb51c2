// IP address literals (src/shared/ip-address.ts): which texts are addresses, their canonical
// text, their bytes, and the numeric order every LB host uses for ASes (so two hosts that spell
// an address differently still agree on the order). Canonical IPv6 text is cross-checked against
// the WHATWG URL serializer, which compresses zero runs by the same RFC 5952 rule.

import t from 'tap';
import { canonicalIp, compareIp, ipFamily, ipFromBytes, ipToBytes, ipToIp46, isIpv4Mapped } from '../../src/shared/ip-address.js';
import { seededRandom } from '../support/seeded-random.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

void t.test('ipFamily: literals only', async (t) => {
  const cases: Array<{ name: string; in: string; want: 4 | 6 | undefined }> = [
    { name: 'dotted quad', in: '192.0.2.1', want: 4 },
    { name: 'all zeros', in: '0.0.0.0', want: 4 },
    { name: 'all ones', in: '255.255.255.255', want: 4 },
    { name: 'octet over 255', in: '256.0.0.1', want: undefined },
    { name: 'leading zero (octal to some parsers)', in: '010.0.0.1', want: undefined },
    { name: 'leading zero in the last octet', in: '1.2.3.04', want: undefined },
    { name: 'three parts', in: '1.2.3', want: undefined },
    { name: 'five parts', in: '1.2.3.4.5', want: undefined },
    { name: 'a prefix', in: '192.0.2.1/32', want: undefined },
    { name: 'surrounding space', in: ' 192.0.2.1', want: undefined },
    { name: 'a hostname', in: 'localhost', want: undefined },
    { name: 'empty', in: '', want: undefined },
    { name: 'unspecified', in: '::', want: 6 },
    { name: 'loopback', in: '::1', want: 6 },
    { name: 'uppercase hex', in: '2001:DB8::A', want: 6 },
    { name: 'full form with leading zeros', in: '2001:0db8:0000:0000:0000:0000:0000:0001', want: 6 },
    { name: 'max value', in: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', want: 6 },
    { name: 'IPv4-mapped', in: '::ffff:1.2.3.4', want: 6 },
    { name: 'embedded IPv4 after six groups', in: '1:2:3:4:5:6:1.2.3.4', want: 6 },
    { name: 'zone id', in: 'fe80::1%eth0', want: undefined },
    { name: 'zone id, URL-escaped', in: 'fe80::1%25eth0', want: undefined },
    { name: 'brackets', in: '[::1]', want: undefined },
    { name: 'five hex digits in a group', in: '02001:db8::1', want: undefined },
    { name: 'nine groups', in: '1:2:3:4:5:6:7:8::', want: undefined },
    { name: 'two ::', in: '1::2::3', want: undefined },
    { name: 'leading zero in an embedded IPv4', in: '::ffff:01.2.3.4', want: undefined },
    { name: 'a v6 prefix', in: '2001:db8::/32', want: undefined },
  ];
  for (const c of cases) t.equal(ipFamily(c.in), c.want, c.name);
});

void t.test('canonicalIp: RFC 5952 text', async (t) => {
  const cases: Array<{ name: string; in: string; want: string }> = [
    { name: 'IPv4 unchanged', in: '192.0.2.1', want: '192.0.2.1' },
    { name: 'IPv4 zeros', in: '0.0.0.0', want: '0.0.0.0' },
    { name: 'unspecified', in: '::', want: '::' },
    { name: 'unspecified, full form', in: '0:0:0:0:0:0:0:0', want: '::' },
    { name: 'loopback', in: '0:0:0:0:0:0:0:1', want: '::1' },
    { name: 'lowercase', in: '2001:DB8::A', want: '2001:db8::a' },
    { name: 'leading zeros dropped', in: '2001:0db8:0000:0000:0000:0000:0000:0001', want: '2001:db8::1' },
    { name: 'a single zero group is not compressed', in: '1::2:3:4:5:6:7', want: '1:0:2:3:4:5:6:7' },
    { name: 'the longest run is compressed', in: '2001:0:0:1:0:0:0:1', want: '2001:0:0:1::1' },
    { name: 'the first of two equal runs is compressed', in: '2001:db8:0:0:1:0:0:1', want: '2001:db8::1:0:0:1' },
    { name: 'a run at the end', in: '1:0:0:0:0:0:0:0', want: '1::' },
    { name: 'no zero group', in: '1:2:3:4:5:6:7:8', want: '1:2:3:4:5:6:7:8' },
    { name: 'max value', in: 'FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF', want: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' },
    // Hex groups, not RFC 5952 §5's recommended mixed notation; the config refuses these anyway.
    { name: 'IPv4-mapped', in: '::ffff:1.2.3.4', want: '::ffff:102:304' },
    { name: 'IPv4-mapped, uppercase', in: '::FFFF:1.2.3.4', want: '::ffff:102:304' },
    { name: 'IPv4-compatible', in: '::1.2.3.4', want: '::102:304' },
    { name: 'NAT64 prefix', in: '64:ff9b::192.0.2.33', want: '64:ff9b::c000:221' },
  ];
  for (const c of cases) t.equal(canonicalIp(c.in), c.want, c.name);
  for (const bad of ['010.0.0.1', 'fe80::1%eth0', 'localhost', '192.0.2.1/32', '']) {
    t.throws(() => canonicalIp(bad), { name: 'TypeError', message: `not an IP address literal: ${JSON.stringify(bad)}` }, `${JSON.stringify(bad)} throws`);
  }
});

void t.test('bytes: 4 or 16, the ip46 form, and back', async (t) => {
  const cases: Array<{ name: string; in: string; bytes: string; ip46: string }> = [
    { name: 'IPv4', in: '192.0.2.1', bytes: 'c0000201', ip46: '000000000000000000000000c0000201' },
    { name: 'IPv4 max', in: '255.255.255.255', bytes: 'ffffffff', ip46: '000000000000000000000000ffffffff' },
    { name: 'IPv6', in: '2001:db8::1', bytes: '20010db8000000000000000000000001', ip46: '20010db8000000000000000000000001' },
    { name: 'loopback', in: '::1', bytes: '00000000000000000000000000000001', ip46: '00000000000000000000000000000001' },
    { name: 'IPv4-mapped differs from IPv4 in ip46', in: '::ffff:192.0.2.1', bytes: '00000000000000000000ffffc0000201', ip46: '00000000000000000000ffffc0000201' },
    { name: 'max', in: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', bytes: 'f'.repeat(32), ip46: 'f'.repeat(32) },
  ];
  for (const c of cases) {
    t.equal(hex(ipToBytes(c.in)), c.bytes, `${c.name}: bytes`);
    t.equal(hex(ipToIp46(c.in)), c.ip46, `${c.name}: ip46`);
    t.equal(ipFromBytes(ipToBytes(c.in)), canonicalIp(c.in), `${c.name}: back to text`);
  }
  t.throws(() => ipToBytes('192.0.2.1/32'), TypeError);
  t.throws(() => ipToIp46('nope'), TypeError);
  for (const n of [0, 3, 5, 15, 17]) t.throws(() => ipFromBytes(new Uint8Array(n)), { name: 'TypeError', message: `bad address length ${n}` }, `${n} bytes`);
});

void t.test('isIpv4Mapped', async (t) => {
  const cases: Array<{ name: string; in: string; want: boolean }> = [
    { name: 'mapped', in: '::ffff:192.0.2.1', want: true },
    { name: 'mapped, hex groups', in: '::ffff:c000:201', want: true },
    { name: 'mapped, full form', in: '0:0:0:0:0:ffff:c000:201', want: true },
    { name: 'mapped max', in: '::ffff:255.255.255.255', want: true },
    { name: 'IPv4 itself', in: '192.0.2.1', want: false },
    { name: 'IPv4-compatible', in: '::192.0.2.1', want: false },
    { name: 'SIIT translated (::ffff:0:a.b.c.d)', in: '::ffff:0:192.0.2.1', want: false },
    { name: 'ffff elsewhere', in: 'ffff::c000:201', want: false },
    { name: 'a non-zero high group', in: '1::ffff:192.0.2.1', want: false },
    { name: 'loopback', in: '::1', want: false },
    { name: 'not an address', in: 'localhost', want: false },
  ];
  for (const c of cases) t.equal(isIpv4Mapped(c.in), c.want, c.name);
});

void t.test('compareIp: IPv4 before IPv6, numeric within a family, spelling-independent', async (t) => {
  const cases: Array<{ name: string; a: string; b: string; want: -1 | 0 | 1 }> = [
    { name: 'numeric, not textual', a: '10.0.0.2', b: '10.0.0.10', want: -1 },
    { name: 'first octet decides', a: '9.255.255.255', b: '10.0.0.0', want: -1 },
    { name: 'equal', a: '192.0.2.1', b: '192.0.2.1', want: 0 },
    { name: 'IPv4 before IPv6', a: '255.255.255.255', b: '::', want: -1 },
    { name: 'IPv4 before its mapped form', a: '192.0.2.1', b: '::ffff:192.0.2.1', want: -1 },
    { name: 'v6 numeric', a: '2001:db8::9', b: '2001:db8::10', want: -1 },
    { name: 'v6 high group decides', a: '2001:db8::ffff', b: '2001:db9::', want: -1 },
    { name: 'v6 spellings of one address', a: '2001:DB8:0:0::1', b: '2001:0db8::0001', want: 0 },
    { name: 'mapped written two ways', a: '::ffff:1.2.3.4', b: '::ffff:102:304', want: 0 },
    { name: 'unspecified first', a: '::', b: '::1', want: -1 },
    { name: 'max last', a: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe', b: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', want: -1 },
  ];
  for (const c of cases) {
    t.equal(Math.sign(compareIp(c.a, c.b)), c.want, c.name);
    t.equal(Math.sign(compareIp(c.b, c.a)), -c.want || 0, `${c.name} (reversed)`);
  }
  t.throws(() => compareIp('10.0.0.1', 'backend-1'), TypeError, 'a non-literal is an error, not an order');
  t.same(
    ['2001:db8::10', '10.0.0.10', '::1', '10.0.0.2', '2001:db8::9', '192.0.2.1'].sort(compareIp),
    ['10.0.0.2', '10.0.0.10', '192.0.2.1', '::1', '2001:db8::9', '2001:db8::10'],
    'a sorted AS list',
  );
});

void t.test('random addresses: canonical text matches the URL serializer, bytes round-trip, order is numeric', async (t) => {
  const seed = 20_260_501;
  const rng = seededRandom(seed);
  /** 16 bytes with runs of zero groups, so compression has something to choose between. */
  const randomV6 = (): Uint8Array => {
    const b = new Uint8Array(16);
    for (let g = 0; g < 8; g++) {
      if (rng.chance(0.45)) continue;
      const v = rng.pick([1, 0xff, 0x100, 0xffff, rng.int(0x10000)]);
      b[g * 2] = v >> 8;
      b[g * 2 + 1] = v & 0xff;
    }
    return b;
  };
  const full = (b: Uint8Array): string => Array.from({ length: 8 }, (_, g) => ((b[g * 2]! << 8) | b[g * 2 + 1]!).toString(16).padStart(4, '0').toUpperCase()).join(':');
  const big = (b: Uint8Array): bigint => BigInt(`0x${hex(b) || '0'}`);
  let mismatches = 0;
  let disorders = 0;
  for (let i = 0; i < 2000; i++) {
    const b = randomV6();
    const text = ipFromBytes(b);
    if (text !== new URL(`http://[${full(b)}]/`).hostname.slice(1, -1)) mismatches++;
    if (hex(ipToBytes(text)) !== hex(b) || canonicalIp(full(b)) !== text) mismatches++;
    const v4 = rng.bytes(4);
    if (hex(ipToBytes(ipFromBytes(v4))) !== hex(v4)) mismatches++;
    const other = randomV6();
    if (Math.sign(compareIp(text, ipFromBytes(other))) !== Math.sign(Number(big(b) - big(other)))) disorders++;
  }
  t.equal(mismatches, 0, `seed ${seed}: canonical text and bytes`);
  t.equal(disorders, 0, `seed ${seed}: compareIp agrees with the 128-bit value`);
});
