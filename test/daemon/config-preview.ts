// `maglevd --check --config NEW --preview-against ADDR`, in-process against the real gRPC server
// over the fake control plane: the local check first, then the running daemon's preview lines;
// exit 3 when it cannot answer. (test/e2e/control-plane-preview.ts runs it against the daemon.)

import { join } from 'node:path';
import t from 'tap';
import { main } from '../../src/daemon/maglevd.js';
import { startHarness } from '../support/grpc-harness.js';

const candidate = `maglev:
  vpp:
    lb:
      ipv4-src-address: 192.0.2.254
  healthchecks:
    http-healthz: { type: http, port: 80, params: { path: /healthz } }
  backends:
    nginx0-ams: { address: 192.0.2.10, healthcheck: http-healthz }
    nginx0-fra: { address: 192.0.2.11, healthcheck: http-healthz }
    nginx1-zrh: { address: 192.0.2.12, enabled: false }
    nginx2-lon: { address: 192.0.2.13, healthcheck: http-healthz }
  frontends:
    web4:
      address: 198.51.100.1
      protocol: tcp
      port: 80
      pools:
        - name: primary
          backends: { nginx0-ams: {}, nginx0-fra: {}, nginx2-lon: {} }
        - name: fallback
          backends: { nginx1-zrh: { weight: 50 } }
`;

async function runMain(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {}, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

t.test('--check --preview-against prints what the running maglevd would do', async (t) => {
  const h = await startHarness(t);
  const dir = t.testdir({ 'new.yaml': candidate, 'bad.yaml': 'maglev: [' });
  const path = join(dir, 'new.yaml');
  const r = await runMain(['--check', '--config', path, '--preview-against', h.address]);
  t.equal(r.code, 0, r.err.join('\n'));
  t.same(r.out.slice(0, 2), [`config ok: ${path}`, `preview against ${h.address}:`]);
  t.match(r.out[2], /^ {2}moves \d+\.\d % of web4's new flows: nginx0-ams 1024→\d+, nginx2-lon 0→\d+$/);
  t.same(r.out.slice(3), ["  removes web6's VIP [2001:db8::1]:*/any: nginx0-ams 1024→0", '  assuming nginx2-lon passes its health check (new backend)']);
  t.same(h.fake.calls, ['preview config'], 'one preview, nothing applied');

  const bad = await runMain(['--check', '--config', join(dir, 'bad.yaml'), '--preview-against', h.address]);
  t.equal(bad.code, 1, 'a config the local check refuses is never sent');
  t.equal(h.fake.calls.length, 1);

  const down = await runMain(['--check', '--config', path, '--preview-against', '127.0.0.1:1']);
  t.equal(down.code, 3);
  t.match(down.err.at(-1), /^maglevd: preview against 127\.0\.0\.1:1: /);
});
