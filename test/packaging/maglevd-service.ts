// packaging/maglevd.service: the unit parses as systemd reads it (`systemd-analyze verify`, when
// the tool is installed, with only the binary path pointed at a stub), and its security-relevant
// lines say what docs/security.md promises: user, capabilities, hardening that keeps ICMP, setns
// and the VPP sockets working, and a syscall filter that allows socket and setns.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { maglevdFlags } from '../../src/daemon/maglevd-options.js';
import { commonHardening, expandSyscallFilter, forbiddenSettings, hasSystemdAnalyze, parseUnit, sectionReader, verifyUnit } from '../support/systemd-unit.js';

const unitPath = fileURLToPath(new URL('../../packaging/maglevd.service', import.meta.url));
const unitText = readFileSync(unitPath, 'utf8');

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const { one, words } = sectionReader(service);

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
  for (const [key, value] of [...commonHardening, ['RestrictNamespaces', 'net'] as const]) t.equal(one(key), value, key);
  t.same(words('RestrictAddressFamilies').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  t.same(service.get('ReadWritePaths'), ['-/run/vpp'], 'the VPP socket directory (optional: "-")');
  for (const key of [...forbiddenSettings, 'PrivateUsers', 'DynamicUser']) {
    t.notOk(service.has(key), `${key} is absent (it would break the JIT, the probes, the capabilities or the vpp group)`);
  }
  t.same(service.get('SystemCallFilter'), ['@system-service', '~@mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug']);
});

void t.test('systemd-analyze: the unit verifies, and the syscall filter keeps socket and setns', async (t) => {
  if (!(await hasSystemdAnalyze())) {
    t.comment('skipped: systemd-analyze is not installed on this machine; the parser checks above still ran');
    return;
  }
  // Only the binary path changes: verify checks that ExecStart's program exists and is executable.
  const verify = await verifyUnit(unitPath, unitText, '/usr/sbin/maglevd');
  t.same(verify, { code: 0, stderr: '' }, 'no unknown keys, no bad values, no warnings');

  const [allowList, denyList] = service.get('SystemCallFilter') ?? [];
  const allowed = await expandSyscallFilter(allowList ?? '');
  const denied = await expandSyscallFilter(denyList ?? '');
  t.ok(allowed.size > 100, `@system-service expands to ${allowed.size} system calls`);
  for (const name of ['setns', 'socket', 'connect', 'bind', 'sendto', 'recvfrom', 'sendmsg', 'recvmsg', 'mmap', 'mprotect', 'clone3', 'epoll_wait', 'memfd_create']) {
    t.ok(allowed.has(name) && !denied.has(name), `${name} stays allowed`);
  }
  for (const name of ['mount', 'ptrace', 'reboot', 'init_module', 'swapon']) t.ok(denied.has(name), `${name} is refused`);
});
