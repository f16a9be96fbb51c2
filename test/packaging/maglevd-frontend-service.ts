// packaging/maglevd-frontend.service: the dashboard's unit reads the shared /etc/default file and
// MAGLEV_FRONTEND_ARGS (behaviour.md §1.5), defaults -server to maglevd's default gRPC address,
// runs with no privilege at all (DynamicUser, no capabilities, @privileged refused), keeps what
// Node needs (no MemoryDenyWriteExecute), and verifies with systemd-analyze when it is installed.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { maglevdFlags } from '../../src/daemon/maglevd-options.js';
import { frontendFlags, parseFrontendOptions } from '../../src/web/frontend-options.js';
import { commonHardening, expandSyscallFilter, forbiddenSettings, hasSystemdAnalyze, parseUnit, sectionReader, verifyUnit } from '../support/systemd-unit.js';

const unitPath = fileURLToPath(new URL('../../packaging/maglevd-frontend.service', import.meta.url));
const unitText = readFileSync(unitPath, 'utf8');
const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const { one, words } = sectionReader(service);

void t.test('sections, start command and environment', async (t) => {
  t.same([...unit.keys()], ['Unit', 'Service', 'Install']);
  t.match(unit.get('Unit')?.get('After'), [/network-online\.target/]);
  t.match(unit.get('Unit')?.get('After'), [/maglevd\.service/], 'starts after a local maglevd');
  t.notOk(unit.get('Unit')?.has('Requires'), 'a dashboard of remote maglevds needs no local one');
  t.same(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);
  const cases: Array<[string, string]> = [
    ['Type', 'simple'],
    ['DynamicUser', 'yes'],
    ['EnvironmentFile', '-/etc/default/vpp-maglev'],
    ['ExecStart', '/usr/sbin/maglevd-frontend $MAGLEV_FRONTEND_ARGS'],
    ['Restart', 'on-failure'],
    ['RestartSec', '5s'],
    ['NoNewPrivileges', 'yes'],
  ];
  for (const [key, value] of cases) t.equal(one(key), value, key);
  t.notOk(service.has('ExecReload'), 'the dashboard ignores SIGHUP: nothing to reload');

  // The default is maglevd's own default gRPC address, under the env name -server reads.
  const env = service.get('Environment') ?? [];
  const serverEnv = frontendFlags.find((f) => f.name === 'server')?.env;
  const grpcDefault = maglevdFlags.find((f) => f.name === 'grpc-addr')?.default;
  t.same(env, [`${serverEnv}=${grpcDefault}`]);
  const parsed = parseFrontendOptions([], Object.fromEntries(env.map((e) => e.split('=', 2) as [string, string])));
  t.same(parsed.ok ? parsed.options.servers : parsed.message, ['127.0.0.1:9090'], 'the unit starts with no flags and no /etc/default');
});

void t.test('no privileges: no user of its own, no capabilities', async (t) => {
  t.notOk(service.has('User'), 'DynamicUser, not maglevd (whose vpp group it must not get)');
  t.same(service.get('CapabilityBoundingSet'), [''], 'empty bounding set');
  t.same(service.get('AmbientCapabilities'), [''], 'no ambient capabilities');
  for (const [key, value] of [...commonHardening, ['RestrictNamespaces', 'yes'] as const]) t.equal(one(key), value, key);
  t.same(words('RestrictAddressFamilies').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  for (const key of [...forbiddenSettings, 'ReadWritePaths']) {
    t.notOk(service.has(key), `${key} is absent`);
  }
  t.same(service.get('SystemCallFilter'), ['@system-service', '~@privileged @mount @swap @reboot @raw-io @module @obsolete @cpu-emulation @debug']);
});

void t.test('systemd-analyze: the unit verifies, and the syscall filter keeps what Node needs', async (t) => {
  if (!(await hasSystemdAnalyze())) {
    t.comment('skipped: systemd-analyze is not installed on this machine; the parser checks above still ran');
    return;
  }
  t.same(await verifyUnit(unitPath, unitText, '/usr/sbin/maglevd-frontend'), { code: 0, stderr: '' }, 'no unknown keys, no bad values, no warnings');
  const [allowList, denyList] = service.get('SystemCallFilter') ?? [];
  const allowed = await expandSyscallFilter(allowList ?? '');
  const denied = await expandSyscallFilter(denyList ?? '');
  for (const name of ['socket', 'connect', 'bind', 'listen', 'accept4', 'sendmsg', 'recvmsg', 'mmap', 'mprotect', 'clone3', 'epoll_wait']) {
    t.ok(allowed.has(name) && !denied.has(name), `${name} stays allowed`);
  }
  for (const name of ['setuid', 'setgroups', 'chroot', 'mount', 'ptrace']) t.ok(denied.has(name) || !allowed.has(name), `${name} is refused`);
});
