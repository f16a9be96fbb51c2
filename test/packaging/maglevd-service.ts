// packaging/maglevd.service: the unit parses as systemd reads it (`systemd-analyze verify`, when
// the tool is installed, with only the binary path pointed at a stub), and its security-relevant
// lines say what docs/security.md promises: user, capabilities, hardening that keeps ICMP, setns
// and the VPP sockets working, and a syscall filter that allows socket and setns.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { maglevdFlags } from '../../src/daemon/maglevd-options.js';

const unitPath = fileURLToPath(new URL('../../packaging/maglevd.service', import.meta.url));
const unitText = readFileSync(unitPath, 'utf8');
const run = promisify(execFile);

/** Section → key → every value given (systemd keys may repeat); comments and blanks skipped. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv === null || current === undefined) throw new Error(`line ${i + 1}: not a key=value in a section: ${raw}`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    await run('systemd-analyze', ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const one = (key: string): string | undefined => {
  const v = service.get(key);
  return v?.length === 1 ? v[0] : undefined;
};
const words = (key: string): string[] => (service.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter((w) => w !== '');

void t.test('sections and the service basics (behaviour.md §1.5)', async (t) => {
  t.same([...unit.keys()], ['Unit', 'Service', 'Install']);
  t.match(unit.get('Unit')?.get('After'), [/network-online\.target/]);
  t.same(unit.get('Unit')?.get('Wants'), ['network-online.target']);
  t.same(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);
  const cases: Array<[string, string]> = [
    ['Type', 'simple'],
    ['User', 'maglevd'],
    ['Group', 'maglevd'],
    ['EnvironmentFile', '-/etc/default/vpp-maglev'],
    ['ExecStart', '/usr/sbin/maglevd --config ${MAGLEV_CONFIG}'],
    ['ExecReload', '/bin/kill -HUP $MAINPID'],
    ['Restart', 'on-failure'],
    ['RestartSec', '5s'],
    ['NoNewPrivileges', 'yes'],
  ];
  for (const [key, value] of cases) t.equal(one(key), value, key);
  const configEnv = maglevdFlags.find((f) => f.name === 'config')?.env;
  t.equal(configEnv, 'MAGLEV_CONFIG', 'ExecStart uses the env variable of --config');
  t.same(service.get('Environment'), ['MAGLEV_CONFIG=/etc/vpp-maglev/maglev.yaml'], 'a default the EnvironmentFile may override');
});

void t.test('capabilities: exactly CAP_NET_RAW (ICMP) and CAP_SYS_ADMIN (setns)', async (t) => {
  for (const key of ['AmbientCapabilities', 'CapabilityBoundingSet']) {
    t.same(words(key).sort(), ['CAP_NET_RAW', 'CAP_SYS_ADMIN'], key);
  }
});

void t.test('hardening that keeps probes, setns, the VPP sockets and the JIT working', async (t) => {
  const cases: Array<[string, string]> = [
    ['ProtectSystem', 'strict'],
    ['ProtectHome', 'yes'],
    ['PrivateTmp', 'yes'],
    ['PrivateDevices', 'yes'],
    ['ProtectKernelTunables', 'yes'],
    ['ProtectKernelModules', 'yes'],
    ['ProtectControlGroups', 'yes'],
    ['RestrictSUIDSGID', 'yes'],
    ['LockPersonality', 'yes'],
    ['RestrictNamespaces', 'net'],
    ['SystemCallArchitectures', 'native'],
  ];
  for (const [key, value] of cases) t.equal(one(key), value, key);
  t.same(words('RestrictAddressFamilies').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  t.same(service.get('ReadWritePaths'), ['-/run/vpp'], 'the VPP socket directory (optional: "-")');
  for (const key of ['MemoryDenyWriteExecute', 'PrivateNetwork', 'IPAddressDeny', 'PrivateUsers', 'DynamicUser']) {
    t.notOk(service.has(key), `${key} is absent (it would break the JIT, the probes, the capabilities or the vpp group)`);
  }
  t.same(service.get('SystemCallFilter'), ['@system-service', '~@mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug']);
});

void t.test('systemd-analyze: the unit verifies, and the syscall filter keeps socket and setns', async (t) => {
  if (!(await hasSystemdAnalyze())) {
    t.comment('skipped: systemd-analyze is not installed on this machine; the parser checks above still ran');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'maglevd-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Only the binary path changes: verify checks that ExecStart's program exists and is executable.
  const stub = join(dir, 'maglevd');
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  t.equal(unitText.split('ExecStart=/usr/sbin/maglevd ').length, 2, 'one ExecStart to point at the stub');
  writeFileSync(join(dir, 'maglevd.service'), unitText.replace('ExecStart=/usr/sbin/maglevd ', `ExecStart=${stub} `));
  const verify = await run('systemd-analyze', ['verify', '--man=no', join(dir, 'maglevd.service')], { timeout: 60_000 }).then(
    (r) => ({ code: 0, stderr: r.stderr }),
    (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
  );
  t.same(verify, { code: 0, stderr: '' }, 'no unknown keys, no bad values, no warnings');

  // Groups list other groups by name: expand them to system calls.
  const groups = new Map<string, Set<string>>();
  const expand = async (group: string): Promise<Set<string>> => {
    const known = groups.get(group);
    if (known !== undefined) return known;
    const out = new Set<string>();
    groups.set(group, out);
    const text = (await run('systemd-analyze', ['syscall-filter', group], { timeout: 30_000 })).stdout;
    for (const line of text.split('\n').slice(1)) {
      const entry = line.trim();
      if (entry === '' || entry.startsWith('#')) continue;
      for (const call of entry.startsWith('@') ? await expand(entry) : [entry]) out.add(call);
    }
    return out;
  };
  const [allowList, denyList] = service.get('SystemCallFilter') ?? [];
  const allowed = new Set<string>();
  for (const g of (allowList ?? '').split(/\s+/)) for (const c of await expand(g)) allowed.add(c);
  const denied = new Set<string>();
  for (const g of (denyList ?? '').replace(/^~/, '').split(/\s+/)) for (const c of await expand(g)) denied.add(c);
  t.ok(allowed.size > 100, `@system-service expands to ${allowed.size} system calls`);
  for (const name of ['setns', 'socket', 'connect', 'bind', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'mmap', 'mprotect', 'clone3', 'epoll_wait', 'memfd_create']) {
    t.ok(allowed.has(name) && !denied.has(name), `${name} stays allowed`);
  }
  for (const name of ['mount', 'ptrace', 'reboot', 'init_module', 'swapon']) t.ok(denied.has(name), `${name} is refused`);
});
