// The small findings: `maglevc … | head` died with an EPIPE stack trace; an IPv6 backend in ::/96
// passed validation although VPP dumps it as IPv4 (::1 as 0.0.0.1), so every full sync fought
// over it; and a fresh VPP got lb_conf only from the first periodic full sync, a sync-interval
// after the warmup had released its VIPs.

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseConfig } from '../../src/config/loader.js';
import { dumpedAsAddress } from '../../src/vpp/sim/api-handlers.js';
import { ipToIp46 } from '../../src/shared/ip-address.js';
import { startControlPlaneLab } from '../support/control-plane-lab.js';
import { childEnv } from '../support/maglevd-process.js';

void t.test('maglevc exits quietly when its stdout closes', async (t) => {
  const bin = fileURLToPath(new URL('../../bin/maglevc.js', import.meta.url));
  const child = spawn(process.execPath, [bin, '--help'], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader (head) is gone before maglevc writes
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  t.equal(err, '', 'no stack trace');
  t.equal(code, 0, 'exit 0');
});

void t.test('IPv6 backends in ::/96 are refused, because VPP dumps them as IPv4', async (t) => {
  t.equal(dumpedAsAddress(ipToIp46('::1')), '0.0.0.1', "the simulator dumps ::1 as VPP's ip_address_encode does");
  t.equal(dumpedAsAddress(ipToIp46('2001:db8::1')), '2001:db8::1');
  t.equal(dumpedAsAddress(ipToIp46('10.0.0.1')), '10.0.0.1');
  const r = parseConfig('maglev:\n  vpp: { lb: { ipv6-src-address: "2001:db8::fe" } }\n  backends:\n    a: { address: "::1" }\n  frontends:\n    f:\n      address: "2001:db8::80"\n      pools:\n        - name: p\n          backends: { a: {} }\n');
  t.match(r, { ok: false, stage: 'semantic', errors: [{ path: 'maglev.backends.a.address', line: 4, col: 19, message: /is in ::\/96, which VPP's lb plugin takes for the IPv4 address 0\.0\.0\.1/ }] });
});

void t.test('a fresh VPP gets lb_conf when the warmup starts releasing, not a sync-interval later', async (t) => {
  const lab = await startControlPlaneLab(t, { warmup: ['0s', '20s'] });
  await lab.d.waitForLog((l) => l.msg === 'vpp-lb-warmup-min-delay-elapsed', 10_000);
  await lab.until(() => lab.sim?.model.conf.ip4SrcAddress === '192.0.2.254', 'lb_conf programmed', 3000);
  t.pass('lb_conf set within 3 s of the release phase (sync-interval is 30 s)');
});
