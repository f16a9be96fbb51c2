// The disruption preview and the table digest against the REAL daemon programming the VPP
// simulator: a preview's "after" is what VPP then holds. Each change is previewed, applied, and
// the simulator's own bucket counts (lb_as_v2_details num_buckets) and the digest tables read
// back afterwards must match the preview bucket for bucket: the per-AS counts, and the moved
// buckets counted between the digests' tables before and after. Also the maglevc commands
// (`preview …`, `show vpp lb digest`) and `maglevd --check --preview-against`, all BUILT.

import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { PreviewResponse, VIPDigest, VIPPreview } from '../../src/api/maglev-messages.js';
import type { RpcRequest } from '../../src/api/maglev-rpc.js';
import { checkedBackends, runMaglevc, startControlPlaneLab, webVip, type ControlPlaneLab } from '../support/control-plane-lab.js';
import { childEnv } from '../support/maglevd-process.js';
import { tempDir } from '../support/vpp-sim-harness.js';

const webKey = `${webVip.prefix} ${webVip.protocol} ${webVip.port}`;
const maglevdBin = fileURLToPath(new URL('../../bin/maglevd.js', import.meta.url));

/** The web VIP's digest as VPP holds it now, with its table. */
async function webDigest(lab: ControlPlaneLab): Promise<VIPDigest> {
  const d = await lab.rpc.call('GetVPPLBDigest', { frontend: 'web', include_table: true });
  if (d.vips.length !== 1) throw new Error(`expected one VIP, got ${d.vips.length}`);
  return d.vips[0]!;
}

/** Bucket owners by address. */
const owners = (d: VIPDigest): string[] => d.table.map((i) => d.application_servers[i]?.address ?? '');

/** In-use AS → num_buckets, as the simulator reports them for the web VIP. */
async function vppBuckets(lab: ControlPlaneLab): Promise<Record<string, number>> {
  const st = await lab.rpc.call('GetVPPLBState');
  const vip = st.vips.find((v) => v.prefix === webVip.prefix && v.port === webVip.port)!;
  return Object.fromEntries(vip.application_servers.filter((a) => (a.flags & 1) === 1).map((a) => [a.address, a.num_buckets]));
}

/** AS → buckets on one side of a preview, ASes without buckets left out. */
const previewBuckets = (v: VIPPreview, side: 'before' | 'after'): Record<string, number> =>
  Object.fromEntries(v.application_servers.map((a): [string, number] => [a.address, side === 'before' ? a.buckets_before : a.buckets_after]).filter(([, n]) => n !== 0));

const withoutZeros = (m: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(m).filter(([, n]) => n !== 0));

const webOf = (p: PreviewResponse): VIPPreview => {
  const v = p.vips.find((x) => x.frontend === 'web' && x.prefix === webVip.prefix);
  if (v === undefined) throw new Error('no web VIP in the preview');
  return v;
};

void t.test('previews against the daemon and the simulator', async (t) => {
  const lab = await startControlPlaneLab(t);
  const { rpc } = lab;
  await lab.d.waitForLog((l) => l.msg === 'vpp-connect');
  await lab.allUp();
  await lab.until(() => JSON.stringify(lab.vips()[webKey]) === JSON.stringify({ [checkedBackends.be1]: 100, [checkedBackends.be2]: 50, [checkedBackends.be3]: 0 }), 'web programmed 100/50/0');

  /** Previews `req`, applies it with `apply`, waits until VPP holds `weights`, then compares. */
  async function previewThenApply(t: Test, req: RpcRequest<'PreviewChange'> | { readonly config: string }, apply: () => Promise<unknown>, weights: Record<string, number>): Promise<VIPPreview> {
    const before = await webDigest(lab);
    const weightsBefore = JSON.stringify(lab.vips()[webKey]);
    const p = 'config' in req ? await rpc.client.previewConfig(req.config) : await rpc.call('PreviewChange', req);
    t.equal(p.ok, true);
    const v = webOf(p);
    t.same(previewBuckets(v, 'before'), withoutZeros(await vppBuckets(lab)), 'before: what VPP holds now');
    t.equal(JSON.stringify(lab.vips()[webKey]), weightsBefore, 'previewing changed nothing');
    await apply();
    await lab.until(() => JSON.stringify(lab.vips()[webKey]) === JSON.stringify(weights), `VPP at ${JSON.stringify(weights)}`);
    t.same(withoutZeros(await vppBuckets(lab)), previewBuckets(v, 'after'), 'after: VPP holds the buckets previewed');
    const now = await webDigest(lab);
    t.equal(now.buckets_match, true, "VPP's counts match the digest's table");
    const ob = owners(before);
    const moved = owners(now).filter((o, i) => o !== ob[i]).length;
    t.equal(v.moved_buckets, moved, `moved: ${moved} buckets changed owner in VPP`);
    return v;
  }

  await t.test('pause be2: previewed, applied, and VPP matches', async (t) => {
    const v = await previewThenApply(
      t,
      { backend: { name: 'be2', action: 'pause' } },
      () => rpc.call('PauseBackend', { name: 'be2' }),
      { [checkedBackends.be1]: 100, [checkedBackends.be2]: 0, [checkedBackends.be3]: 0 },
    );
    t.match(v, { change: 'changed', flow_table_length: 1024 });
    t.ok(v.moved_buckets > 0);
    t.same(v.members.map((m) => `${m.backend} ${m.state_before}→${m.state_after} ${m.effective_weight_before}→${m.effective_weight_after}`), ['be1 up→up 100→100', 'be2 up→paused 50→0', 'be3 up→up 0→0']);
  });

  await t.test('resume be2: taken as up, and it comes up', async (t) => {
    const p = await rpc.call('PreviewChange', { backend: { name: 'be2', action: 'resume' } });
    t.same(p.assumptions, ['be2 passes its health check after resuming']);
    await previewThenApply(
      t,
      { backend: { name: 'be2', action: 'resume' } },
      () => rpc.call('ResumeBackend', { name: 'be2' }),
      { [checkedBackends.be1]: 100, [checkedBackends.be2]: 50, [checkedBackends.be3]: 0 },
    );
  });

  await t.test('a weight: previewed, applied, and VPP matches', async (t) => {
    await previewThenApply(
      t,
      { frontend: 'web', weight: { pool: 'primary', backend: 'be1', weight: 30 } },
      () => rpc.call('SetFrontendPoolBackendWeight', { frontend: 'web', pool: 'primary', backend: 'be1', weight: 30 }),
      { [checkedBackends.be1]: 30, [checkedBackends.be2]: 50, [checkedBackends.be3]: 0 },
    );
  });

  await t.test('disable both primaries: failover to the fallback pool', async (t) => {
    await rpc.call('DisableBackend', { name: 'be2' });
    await lab.until(() => lab.vips()[webKey]?.[checkedBackends.be2] === 0, 'be2 out');
    const v = await previewThenApply(
      t,
      { backend: { name: 'be1', action: 'disable' } },
      () => rpc.call('DisableBackend', { name: 'be1' }),
      { [checkedBackends.be1]: 0, [checkedBackends.be2]: 0, [checkedBackends.be3]: 100 },
    );
    t.equal(v.moved_buckets, 1024, 'every bucket moves to be3');
    await rpc.call('EnableBackend', { name: 'be1' });
    await rpc.call('EnableBackend', { name: 'be2' });
    await lab.allUp();
  });

  await t.test('a candidate config, over the RPC: previewed, reloaded, and VPP matches', async (t) => {
    const candidate = lab.config({ withBe4: true }).replace('be2: { weight: 50 }', 'be2: { weight: 100 }');
    const bad = await rpc.client.previewConfig(candidate.replace('protocol: tcp', 'protocol: sctp'));
    t.equal(bad.ok, false);
    t.match(bad.semantic_error + bad.parse_error, /maglev\.frontends\.web\.protocol \(\d+:\d+\)/, 'positioned errors, as data');
    const p = await rpc.client.previewConfig(candidate);
    t.same(p.assumptions, ['be4 passes its health check (new backend)']);
    t.same(p.vips.map((v) => [v.frontend, v.change]), [['web', 'changed'], ['all', 'unchanged']]);
    await previewThenApply(
      t,
      { config: candidate },
      async () => {
        lab.d.writeConfig(candidate);
        t.match(await rpc.call('ReloadConfig'), { ok: true });
      },
      { [checkedBackends.be1]: 100, [checkedBackends.be2]: 100, [checkedBackends.be3]: 0, [checkedBackends.be4]: 0 },
    );
  });

  await t.test('GetVPPLBDigest: both VIPs, named, stable while nothing changes', async (t) => {
    const a = await rpc.call('GetVPPLBDigest', {});
    t.same(a.vips.map((v) => [v.frontend, v.prefix, v.buckets_match, v.table.length]), [['web', webVip.prefix, true, 0], ['all', '192.0.2.2/32', true, 0]]);
    const b = await rpc.call('GetVPPLBDigest', {});
    t.same(b.vips.map((v) => v.digest), a.vips.map((v) => v.digest));
  });

  await t.test('maglevc: preview commands and show vpp lb digest', async (t) => {
    const server = lab.d.grpcAddr;
    const [pause, weight, digest, table] = await Promise.all([
      runMaglevc(server, ['preview', 'set', 'backend', 'be2', 'pause']),
      runMaglevc(server, ['preview', 'set', 'frontend', 'web', 'pool', 'primary', 'backend', 'be1', 'weight', '0']),
      runMaglevc(server, ['show', 'vpp', 'lb', 'digest']),
      runMaglevc(server, ['show', 'vpp', 'lb', 'digest', 'web', 'table']),
    ]);
    for (const r of [pause, weight, digest, table]) t.equal(r.code, 0, r.stderr);
    const d = await webDigest(lab);
    const [b1, b2] = d.application_servers.map((a) => a.buckets);
    t.match(pause.stdout, new RegExp(`^web moves \\d+\\.\\d % of web's new flows: be1 ${b1}→1024, be2 ${b2}→0$`, 'm'));
    t.match(pause.stdout, new RegExp(`^ {2}pool primary {3}be1 {2}up {9}weight 100 +effective 100 +buckets ${b1}→1024$`, 'm'));
    t.match(weight.stdout, new RegExp(`^web moves \\d+\\.\\d % of web's new flows: be1 ${b1}→0, be2 ${b2}→1024$`, 'm'));
    t.match(digest.stdout, new RegExp(`^vip 192\\.0\\.2\\.1 protocol 6 port 80 frontend web digest ${d.digest.slice(0, 16)}$`, 'm'));
    t.match(digest.stdout, new RegExp(`^ {2}as 127\\.0\\.10\\.1 weight 100 buckets ${b1}$`, 'm'));
    t.equal(table.stdout.split('\n').filter((l) => /^ +\d+: /.test(l)).length, 128);
    t.equal(lab.vips()[webKey]?.[checkedBackends.be2], 100, 'nothing applied');

    const dir = tempDir(t, 'preview-cfg-');
    const file = join(dir, 'next.yaml');
    // The lab's own config: be2 back from the reloaded 100 to 50.
    writeFileSync(file, lab.config({ withBe4: true }));
    const cfg = await runMaglevc(server, ['preview', 'config', file]);
    t.equal(cfg.code, 0, cfg.stderr);
    t.match(cfg.stdout, /^web moves \d+\.\d % of web's new flows: be1 \d+→\d+, be2 \d+→\d+$/m);
    t.match(cfg.stdout, /^all moves 0\.0 % of all's new flows$/m);
  });

  await t.test('maglevd --check --config NEW --preview-against ADDR', async (t) => {
    const dir = tempDir(t, 'preview-check-');
    const file = join(dir, 'next.yaml');
    writeFileSync(file, lab.config({ withBe4: true }).replace('be2: { weight: 50 }', 'be2: { weight: 0 }'));
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [maglevdBin, '--check', '--config', file, '--preview-against', lab.d.grpcAddr], { env: childEnv(), timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr }),
      );
    });
    t.equal(r.code, 0, r.stderr);
    t.same(r.stdout.split('\n').slice(0, 2), [`config ok: ${file}`, `preview against ${lab.d.grpcAddr}:`]);
    const [b1, b2] = (await webDigest(lab)).application_servers.map((a) => a.buckets);
    t.match(r.stdout, new RegExp(`^ {2}moves ${((100 * b2!) / 1024).toFixed(1)} % of web's new flows: be1 ${b1}→1024, be2 ${b2}→0$`, 'm'));
    t.match(r.stdout, /^ {2}moves 0\.0 % of all's new flows$/m);
    t.equal(lab.vips()[webKey]?.[checkedBackends.be2], 100, 'nothing applied');
  });
});
