import t from 'tap';
import { maglevdUsage, parseMaglevdOptions, type MaglevdOptions } from '../../src/daemon/maglevd-options.js';

t.test('options from flags, env and defaults', async (t) => {
  const defaults: MaglevdOptions = {
    config: '/etc/vpp-maglev/maglev.yaml',
    grpcAddr: { text: '127.0.0.1:9090', host: '127.0.0.1', port: 9090 },
    metricsAddr: { text: '127.0.0.1:9091', host: '127.0.0.1', port: 9091 },
    vppApiAddr: '/run/vpp/api.sock',
    vppStatsAddr: '/run/vpp/stats.sock',
    logLevel: 'info',
    check: false,
    previewAgainst: undefined,
    reflection: true,
    probeDurationPerBackend: true,
    grpcLimits: { maxConnections: 256, handshakeMs: 10_000, idleMs: 300_000, maxAgeMs: 0, maxAgeGraceMs: 0 },
    version: false,
    help: false,
  };
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; want: Partial<MaglevdOptions> }> = [
    { name: 'defaults', argv: [], want: {} },
    {
      name: 'every flag',
      argv: ['--config=/c.yaml', '-grpc-addr', '[::1]:1', '--metrics-addr', '127.0.0.1:2', '--vpp-api-addr', '/a', '--vpp-stats-addr=/s', '--log-level', 'debug', '--check', '--reflection=false'],
      want: {
        config: '/c.yaml',
        grpcAddr: { text: '[::1]:1', host: '::1', port: 1 },
        metricsAddr: { text: '127.0.0.1:2', host: '127.0.0.1', port: 2 },
        vppApiAddr: '/a',
        vppStatsAddr: '/s',
        logLevel: 'debug',
        check: true,
        reflection: false,
      },
    },
    {
      name: 'env',
      argv: [],
      env: { MAGLEV_CONFIG: '/e.yaml', MAGLEV_GRPC_ADDR: ':1', MAGLEV_LOG_LEVEL: 'warn' },
      want: { config: '/e.yaml', grpcAddr: { text: ':1', host: '', port: 1 }, logLevel: 'warn' },
    },
    { name: 'flag beats env', argv: ['--log-level=error'], env: { MAGLEV_LOG_LEVEL: 'debug' }, want: { logLevel: 'error' } },
    { name: 'per-type probe durations by flag', argv: ['--probe-duration-per-backend=false'], want: { probeDurationPerBackend: false } },
    { name: 'per-type probe durations by env', argv: [], env: { MAGLEV_PROBE_DURATION_PER_BACKEND: 'false' }, want: { probeDurationPerBackend: false } },
    {
      name: 'empty values disable metrics, VPP and stats',
      argv: ['--metrics-addr='],
      env: { MAGLEV_VPP_API_ADDR: '', MAGLEV_VPP_STATS_ADDR: '' },
      want: { metricsAddr: undefined, vppApiAddr: undefined, vppStatsAddr: undefined },
    },
    { name: 'version and help', argv: ['-version', '-help'], want: { version: true, help: true } },
    {
      name: 'gRPC connection limits',
      argv: ['--grpc-max-connections=32', '--grpc-handshake-timeout=2s', '--grpc-idle-timeout=0', '--grpc-max-connection-age=1h', '--grpc-max-connection-age-grace', '5m'],
      want: { grpcLimits: { maxConnections: 32, handshakeMs: 2000, idleMs: 0, maxAgeMs: 3_600_000, maxAgeGraceMs: 300_000 } },
    },
    {
      name: 'gRPC limits from env',
      argv: [],
      env: { MAGLEV_GRPC_MAX_CONNECTIONS: '8', MAGLEV_GRPC_IDLE_TIMEOUT: '30s' },
      want: { grpcLimits: { maxConnections: 8, handshakeMs: 10_000, idleMs: 30_000, maxAgeMs: 0, maxAgeGraceMs: 0 } },
    },
    { name: 'a check previewed against a running maglevd', argv: ['--check', '--preview-against', '127.0.0.1:9090'], want: { check: true, previewAgainst: '127.0.0.1:9090' } },
  ];
  for (const c of cases) {
    const got = parseMaglevdOptions(c.argv, c.env ?? {});
    t.same(got, { ok: true, options: { ...defaults, ...c.want } }, c.name);
  }
});

t.test('invalid values are startup failures', async (t) => {
  const cases: Array<{ name: string; argv: string[]; env?: Record<string, string>; message: RegExp }> = [
    { name: 'unknown flag', argv: ['--nope'], message: /^flag provided but not defined: -nope$/ },
    { name: 'unknown log level', argv: ['--log-level', 'trace'], message: /invalid value "trace" for --log-level/ },
    { name: 'unknown log level from env', argv: [], env: { MAGLEV_LOG_LEVEL: 'INFO' }, message: /--log-level/ },
    { name: 'bad gRPC address', argv: ['--grpc-addr', '9090'], message: /invalid value "9090" for --grpc-addr/ },
    { name: 'empty gRPC address', argv: ['--grpc-addr='], message: /--grpc-addr/ },
    { name: 'bad metrics address', argv: ['--metrics-addr', 'x:y'], message: /--metrics-addr/ },
    { name: 'empty config path', argv: ['--config='], message: /--config/ },
    { name: 'bad bool', argv: ['--reflection=on'], message: /invalid value "on" for flag -reflection/ },
    { name: 'zero connections', argv: ['--grpc-max-connections=0'], message: /invalid value "0" for --grpc-max-connections: expected an integer from 1 to 999999/ },
    { name: 'connections not a number', argv: ['--grpc-max-connections=many'], message: /--grpc-max-connections/ },
    { name: 'bad idle timeout', argv: ['--grpc-idle-timeout=soon'], message: /grpc-idle-timeout/ },
    { name: 'positional argument', argv: ['maglev.yaml'], message: /^unexpected argument "maglev.yaml"$/ },
    { name: 'a preview without --check', argv: ['--preview-against', '127.0.0.1:9090'], message: /^--preview-against needs --check$/ },
  ];
  for (const c of cases) {
    const got = parseMaglevdOptions(c.argv, c.env ?? {});
    t.equal(got.ok, false, `${c.name}: refused`);
    if (!got.ok) t.match(got.message, c.message, c.name);
  }
});

t.test('usage names every flag and its env variable', async (t) => {
  const usage = maglevdUsage();
  for (const flag of ['config', 'grpc-addr', 'metrics-addr', 'vpp-api-addr', 'vpp-stats-addr', 'log-level', 'check', 'preview-against', 'reflection', 'probe-duration-per-backend', 'grpc-max-connections', 'grpc-handshake-timeout', 'grpc-idle-timeout', 'grpc-max-connection-age', 'grpc-max-connection-age-grace', 'version', 'help']) {
    t.match(usage, new RegExp(`\\n  --${flag}\\b`), flag);
  }
  t.match(usage, /\(env MAGLEV_VPP_STATS_ADDR\)/);
});
