import t from 'tap';
import { parseConfig } from '../../src/config/loader.js';
import type { Config, FrontendProtocol } from '../../src/shared/config.js';
import { defaultProbePorts, probeKind, selectTargets, vipLabel, type ProbeKind, type ProbePorts } from '../../src/maglevt/vip-target.js';

/** A valid config with one static backend and the given frontends (name → address, protocol?, port?). */
function config(frontends: Record<string, { address: string; protocol?: string; port?: number }>): Config {
  const fe = Object.entries(frontends)
    .map(([name, f]) => {
      const lines = [`    ${name}:`, `      address: ${f.address}`];
      if (f.protocol !== undefined) lines.push(`      protocol: ${f.protocol}`, `      port: ${f.port}`);
      lines.push('      pools:', '        - name: p', '          backends:', '            b1: {}');
      return lines.join('\n');
    })
    .join('\n');
  const text = `maglev:\n  vpp:\n    lb:\n      ipv4-src-address: 192.0.2.254\n  backends:\n    b1: { address: 192.0.2.10 }\n  frontends:\n${fe}\n`;
  const load = parseConfig(text);
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  return load.config;
}

t.test('probeKind', async (t) => {
  const extended: ProbePorts = { http: [80, 8080], https: [443, 8443] };
  const cases: { name: string; protocol: FrontendProtocol; port: number; ports: ProbePorts; want: ProbeKind }[] = [
    { name: 'tcp/443 is https', protocol: 'tcp', port: 443, ports: defaultProbePorts, want: 'https' },
    { name: 'tcp/80 is http', protocol: 'tcp', port: 80, ports: defaultProbePorts, want: 'http' },
    { name: 'tcp/8080 is tcp by default', protocol: 'tcp', port: 8080, ports: defaultProbePorts, want: 'tcp' },
    { name: 'tcp/8080 is http when listed', protocol: 'tcp', port: 8080, ports: extended, want: 'http' },
    { name: 'tcp/8443 is https when listed', protocol: 'tcp', port: 8443, ports: extended, want: 'https' },
    { name: 'tcp/25 is tcp', protocol: 'tcp', port: 25, ports: extended, want: 'tcp' },
    { name: 'udp/53 is n/a', protocol: 'udp', port: 53, ports: defaultProbePorts, want: 'n/a' },
    { name: 'udp/443 is n/a', protocol: 'udp', port: 443, ports: defaultProbePorts, want: 'n/a' },
    { name: 'all-port VIP is n/a', protocol: 'any', port: 0, ports: defaultProbePorts, want: 'n/a' },
    { name: 'no HTTP ports at all', protocol: 'tcp', port: 80, ports: { http: [], https: [] }, want: 'tcp' },
  ];
  for (const c of cases) t.equal(probeKind(c.protocol, c.port, c.ports), c.want, c.name);
});

t.test('vipLabel', async (t) => {
  const cases: { name: string; in: { address: string; protocol: FrontendProtocol; port: number }; want: string }[] = [
    { name: 'v4', in: { address: '192.0.2.1', protocol: 'tcp', port: 80 }, want: '192.0.2.1:80' },
    { name: 'v6 in brackets', in: { address: '2001:db8::1', protocol: 'tcp', port: 443 }, want: '[2001:db8::1]:443' },
    { name: 'all ports', in: { address: '192.0.2.9', protocol: 'any', port: 0 }, want: '192.0.2.9:*' },
    { name: 'udp marked', in: { address: '192.0.2.5', protocol: 'udp', port: 53 }, want: '192.0.2.5:53/udp' },
  ];
  for (const c of cases) t.equal(vipLabel(c.in), c.want, c.name);
});

t.test('selectTargets', async (t) => {
  const a = config({
    web4: { address: '198.51.100.1', protocol: 'tcp', port: 80 },
    web6: { address: '2001:db8::1', protocol: 'tcp', port: 443 },
    smtp: { address: '198.51.100.2', protocol: 'tcp', port: 25 },
    all: { address: '198.51.100.3' },
  });
  const b = config({
    web4: { address: '198.51.100.1', protocol: 'tcp', port: 80 },
    dns: { address: '198.51.100.4', protocol: 'udp', port: 53 },
  });
  const c2 = config({ web4: { address: '198.51.100.7', protocol: 'tcp', port: 80 } });
  const cases: { name: string; configs: Config[]; filter: RegExp | undefined; want: string[] }[] = [
    { name: 'every frontend in YAML order', configs: [a], filter: undefined, want: ['web4 http', 'web6 https', 'smtp tcp', 'all n/a'] },
    { name: 'filter is searched, not anchored', configs: [a], filter: /eb/, want: ['web4 http', 'web6 https'] },
    { name: 'anchored filter', configs: [a], filter: /^s/, want: ['smtp tcp'] },
    { name: 'filter matching nothing', configs: [a], filter: /^nope$/, want: [] },
    { name: 'identical frontends of two configs are listed once', configs: [a, b], filter: undefined, want: ['web4 http', 'web6 https', 'smtp tcp', 'all n/a', 'dns n/a'] },
    { name: 'same name on another VIP is kept', configs: [b, c2], filter: /web/, want: ['web4 http', 'web4 http'] },
  ];
  for (const c of cases) {
    t.same(
      selectTargets(c.configs, c.filter, defaultProbePorts).map((x) => `${x.name} ${x.kind}`),
      c.want,
      c.name,
    );
  }
  const [first] = selectTargets([a], /web6/, defaultProbePorts);
  t.same(first, { name: 'web6', address: '2001:db8::1', protocol: 'tcp', port: 443, kind: 'https' }, 'target fields');
});
