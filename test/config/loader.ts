import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import {
  formatIssue,
  freezeConfigLoad,
  loadConfigFile,
  maxConfigBytes,
  maxReportedIssues,
  parseConfig,
  referencedBackends,
  type ConfigIssue,
  type ConfigLoad,
} from '../../src/config/loader.js';
import type { Config } from '../../src/shared/config.js';

/** Strips the first newline and the common indentation, so a template's first line is line 1. */
function yaml(text: string): string {
  const lines = text.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/**
 * Backends for the frontend cases (12 lines; `frontends:` is line 12). A case body written with
 * its frontend names at column 0 is indented by 4, so body line k is file line 12 + k and body
 * column c is file column c + 4.
 */
const prelude = yaml(`
  maglev:
    vpp:
      lb:
        ipv4-src-address: 192.0.2.254
        ipv6-src-address: 2001:db8::fe
    backends:
      a: { address: 10.0.0.1 }
      b: { address: 10.0.0.2 }
      c: { address: "2001:db8::10" }
      d: { address: 10.0.0.1 }
      e: { address: "2001:db8::11" }
    frontends:
`);

function frontends(body: string): string {
  return (
    prelude +
    yaml(body)
      .split('\n')
      .map((l) => (l === '' ? l : `    ${l}`))
      .join('\n')
  );
}

interface Want {
  readonly path: string;
  readonly line: number;
  readonly col: number;
  readonly message?: RegExp;
}

interface ErrorCase {
  readonly name: string;
  readonly text: string;
  readonly stage: 'parse' | 'semantic';
  readonly errors: readonly Want[];
}

function checkIssues(t: Test, got: readonly ConfigIssue[], want: readonly Want[], label: string): void {
  t.equal(got.length, want.length, `${label}: count [${got.map(formatIssue).join(' | ')}]`);
  want.forEach((w, i) => {
    const g = got[i];
    if (g === undefined) return;
    t.equal(g.path, w.path, `${label}: path #${i}`);
    t.equal(`${g.line}:${g.col}`, `${w.line}:${w.col}`, `${label}: line:col #${i} (${g.path})`);
    if (w.message !== undefined) t.match(g.message, w.message, `${label}: message #${i}`);
  });
}

function mustLoad(t: Test, load: ConfigLoad, label: string): Config {
  if (!load.ok) {
    t.fail(`${label}: ${load.stage} ${load.errors.map(formatIssue).join(' | ')}`);
    throw new Error(`${label} did not load`);
  }
  return load.config;
}

const structuralCases: ErrorCase[] = [
  {
    name: 'YAML syntax: unclosed flow mapping',
    text: yaml(`
      maglev:
        backends:
          a: { address: 10.0.0.1
    `),
    stage: 'parse',
    errors: [{ path: '', line: 4, col: 1, message: /^YAML: Flow map/ }],
  },
  {
    name: 'YAML syntax: tab indentation',
    text: 'maglev:\n\tbackends: {}\n',
    stage: 'parse',
    errors: [{ path: '', line: 2, col: 1, message: /Tabs/ }],
  },
  {
    name: 'YAML: two documents',
    text: 'maglev: {}\n---\nmaglev: {}\n',
    stage: 'parse',
    errors: [{ path: '', line: 2, col: 1, message: /exactly one YAML document/ }],
  },
  {
    name: 'YAML: unknown tag',
    text: yaml(`
      maglev:
        healthchecks:
          h: !foo bar
    `),
    stage: 'parse',
    errors: [{ path: '', line: 3, col: 8, message: /Unresolved tag: !foo/ }],
  },
  { name: 'empty file', text: '', stage: 'parse', errors: [{ path: '', line: 1, col: 1, message: /empty/ }] },
  { name: 'only comments', text: '# nothing here\n', stage: 'parse', errors: [{ path: '', line: 1, col: 1, message: /empty/ }] },
  {
    name: 'document is a list',
    text: '- maglev\n',
    stage: 'parse',
    errors: [{ path: '', line: 1, col: 1, message: /expected a mapping, got a list/ }],
  },
  {
    name: 'no maglev key',
    text: '{}\n',
    stage: 'parse',
    errors: [{ path: '', line: 1, col: 1, message: /missing the top-level key maglev/ }],
  },
  {
    name: 'maglev is a scalar',
    text: 'maglev: yes\n',
    stage: 'parse',
    errors: [{ path: 'maglev', line: 1, col: 9, message: /expected a mapping, got the string "yes"/ }],
  },
  {
    name: 'unknown top-level key',
    text: 'maglev: {}\nextra: 1\n',
    stage: 'parse',
    errors: [{ path: 'extra', line: 2, col: 1, message: /^unknown key "extra" \(expected one of: maglev\)$/ }],
  },
  {
    name: 'unknown section',
    text: yaml(`
      maglev:
        healthcheckers: {}
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthcheckers', line: 2, col: 3, message: /unknown key "healthcheckers"/ }],
  },
  {
    name: 'unknown healthchecker key',
    text: yaml(`
      maglev:
        healthchecker:
          transition_history: 5
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecker.transition_history', line: 3, col: 5, message: /expected one of: transition-history, netns/ }],
  },
  {
    name: 'unknown vpp key',
    text: yaml(`
      maglev:
        vpp:
          api: /run/vpp/api.sock
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.vpp.api', line: 3, col: 5, message: /expected one of: lb\)/ }],
  },
  {
    name: 'unknown lb key',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sync_interval: 5s
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.vpp.lb.sync_interval', line: 4, col: 7 }],
  },
  {
    name: 'unknown health check key',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            intervall: 1s
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.intervall', line: 6, col: 7, message: /unknown key "intervall"/ }],
  },
  {
    name: 'unknown params key',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              paht: /healthz
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.params.paht', line: 7, col: 9, message: /unknown key "paht"/ }],
  },
  {
    name: 'weight on a backend (weights live on pool membership)',
    text: yaml(`
      maglev:
        backends:
          a: { address: 10.0.0.1, weight: 10 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.weight', line: 3, col: 29, message: /unknown key "weight"/ }],
  },
  {
    name: 'unknown frontend key',
    text: yaml(`
      maglev:
        frontends:
          web:
            address: 192.0.2.1
            backends: {}
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.backends', line: 5, col: 7 }],
  },
  {
    name: 'unknown pool key',
    text: yaml(`
      maglev:
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                weight: 10
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools[0].weight', line: 7, col: 11, message: /expected one of: name, backends/ }],
  },
  {
    name: 'unknown pool member key',
    text: yaml(`
      maglev:
        frontends:
          web:
            pools:
              - name: p
                backends:
                  a: { wieght: 5 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.a.wieght', line: 7, col: 18, message: /expected one of: weight/ }],
  },
  {
    name: 'YAML 1.2 has no merge keys',
    text: yaml(`
      maglev:
        healthchecks:
          a: &hc { type: tcp, port: 80 }
          b:
            <<: *hc
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.b.<<', line: 5, col: 7, message: /unknown key "<<"/ }],
  },
  {
    name: 'duplicate backend name',
    text: yaml(`
      maglev:
        backends:
          a: { address: 10.0.0.1 }
          a: { address: 10.0.0.2 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a', line: 4, col: 5, message: /^duplicate key "a"$/ }],
  },
  {
    name: 'duplicate key inside a health check',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            port: 81
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 6, col: 7, message: /duplicate key "port"/ }],
  },
  {
    name: 'duplicate member in one pool',
    text: yaml(`
      maglev:
        frontends:
          web:
            pools:
              - name: p
                backends:
                  a: {}
                  a: { weight: 5 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.a', line: 8, col: 13, message: /duplicate key/ }],
  },
  {
    name: 'a mapping key that is not a scalar',
    text: yaml(`
      maglev:
        backends:
          ? [a, b]
          : { address: 10.0.0.1 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends', line: 3, col: 7, message: /plain name/ }],
  },
  {
    name: 'bool spelled yes',
    text: yaml(`
      maglev:
        backends:
          a:
            address: 10.0.0.1
            enabled: yes
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.enabled', line: 5, col: 16, message: /expected true or false, got the string "yes"/ }],
  },
  {
    name: 'bool spelled True',
    text: yaml(`
      maglev:
        frontends:
          web:
            src-ip-sticky: True
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.src-ip-sticky', line: 4, col: 22, message: /got the boolean True/ }],
  },
  {
    name: 'quoted integer',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: "80"
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 5, col: 13, message: /expected an integer, got the string "80"/ }],
  },
  {
    name: 'float where an integer belongs',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            rise: 2.0
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.rise', line: 6, col: 13, message: /expected an integer, got the number 2\.0/ }],
  },
  {
    name: 'empty value where an integer belongs',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port:
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 5, col: 12, message: /expected an integer, got null/ }],
  },
  {
    name: 'duration as a bare number',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            interval: 5
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.interval', line: 5, col: 17, message: /expected a duration such as 500ms or 2s, got the number 5/ }],
  },
  {
    name: 'duration in words',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sync-interval: 5 seconds
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.vpp.lb.sync-interval', line: 4, col: 22, message: /invalid duration "5 seconds"/ }],
  },
  {
    name: 'negative duration',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            timeout: -1s
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.timeout', line: 5, col: 16, message: /invalid duration "-1s"/ }],
  },
  {
    name: 'host name instead of an address',
    text: yaml(`
      maglev:
        backends:
          a: { address: www.example.com }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.address', line: 3, col: 19, message: /expected an IP address literal, got "www\.example\.com"/ }],
  },
  {
    name: 'address with a prefix length',
    text: yaml(`
      maglev:
        frontends:
          web:
            address: 192.0.2.0/24
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.address', line: 4, col: 16, message: /IP address literal/ }],
  },
  {
    name: 'unknown health check type',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: udp
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.type', line: 4, col: 13, message: /unknown value "udp" \(expected one of: icmp, tcp, http, https\)/ }],
  },
  {
    name: 'unknown frontend protocol',
    text: yaml(`
      maglev:
        frontends:
          web:
            protocol: sctp
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.protocol', line: 4, col: 17, message: /expected one of: tcp, udp/ }],
  },
  {
    name: 'a section written as a list',
    text: yaml(`
      maglev:
        healthchecks:
          - h
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks', line: 3, col: 5, message: /expected a mapping, got a list/ }],
  },
  {
    name: 'pools written as a mapping',
    text: yaml(`
      maglev:
        frontends:
          web:
            pools:
              primary: {}
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools', line: 5, col: 9, message: /expected a list, got a mapping/ }],
  },
  {
    name: 'pool member given a bare weight',
    text: yaml(`
      maglev:
        frontends:
          web:
            pools:
              - name: p
                backends:
                  a: 50
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.a', line: 7, col: 16, message: /expected a mapping, got the number 50/ }],
  },
  {
    name: 'mapping where a string belongs',
    text: yaml(`
      maglev:
        frontends:
          web:
            description: { text: hi }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.description', line: 4, col: 20, message: /expected a string, got a mapping/ }],
  },
  {
    name: 'response-code as a float',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-code: 2.5
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24, message: /expected a string or an integer/ }],
  },
  {
    name: 'a key without a value in a flow mapping',
    text: yaml(`
      maglev:
        frontends:
          web: { address: 192.0.2.1, port }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.port', line: 3, col: 32, message: /expected an integer, got nothing$/ }],
  },
  {
    name: 'a numeric key names its entry by its text',
    text: yaml(`
      maglev:
        backends:
          1: { address: 10.0.0.1 }
          2: { address: 10.0.0.2, enabled: maybe }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.2.enabled', line: 4, col: 38, message: /expected true or false, got the string "maybe"/ }],
  },
  {
    name: 'a list where an address belongs',
    text: yaml(`
      maglev:
        backends:
          a: { address: [10.0.0.1] }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.address', line: 3, col: 19, message: /expected a string, got a list/ }],
  },
  {
    name: 'a mapping where a protocol belongs',
    text: yaml(`
      maglev:
        frontends:
          web: { address: 192.0.2.1, protocol: {} }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.protocol', line: 3, col: 42, message: /expected a string, got a mapping/ }],
  },
  {
    name: 'a binary scalar',
    text: yaml(`
      maglev:
        backends:
          a: { address: !!binary aGVsbG8= }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.address', line: 3, col: 28, message: /expected a string, got an unsupported value/ }],
  },
  {
    name: 'healthchecks as a list',
    text: 'maglev:\n  healthchecks: [h]\n',
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks', line: 2, col: 17, message: /expected a mapping, got a list/ }],
  },
  {
    name: 'backends as a list',
    text: 'maglev:\n  backends: [a, b]\n',
    stage: 'parse',
    errors: [{ path: 'maglev.backends', line: 2, col: 13, message: /expected a mapping, got a list/ }],
  },
  {
    name: 'frontends as a string',
    text: 'maglev:\n  frontends: web\n',
    stage: 'parse',
    errors: [{ path: 'maglev.frontends', line: 2, col: 14, message: /expected a mapping, got the string "web"/ }],
  },
  {
    name: 'pool backends as a list',
    text: yaml(`
      maglev:
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: [a]
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends', line: 7, col: 21, message: /expected a mapping, got a list/ }],
  },
  {
    name: 'flow collections nested too deep: refused before parsing',
    text: `maglev: ${'['.repeat(65)}\n`,
    stage: 'parse',
    errors: [{ path: '', line: 1, col: 9 + 64, message: /nested deeper than 64 levels/ }],
  },
];

const semanticCases: ErrorCase[] = [
  {
    name: 'an IPv6 backend in ::/96, which VPP takes for IPv4',
    text: yaml(`
      maglev:
        vpp: { lb: { ipv6-src-address: "2001:db8::fe" } }
        backends:
          a: { address: "::1" }
          b: { address: "2001:db8::2" }
        frontends:
          web:
            address: "2001:db8::80"
            pools:
              - name: p
                backends: { a: {}, b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.a.address', line: 4, col: 19, message: /^IPv6 address ::1 is in ::\/96, which VPP's lb plugin takes for the IPv4 address 0\.0\.0\.1; use an IPv6 address outside ::\/96$/ }],
  },
  {
    name: 'an IPv6 frontend address in ::/96',
    text: yaml(`
      maglev:
        vpp: { lb: { ipv6-src-address: "2001:db8::fe" } }
        backends:
          b: { address: "2001:db8::2" }
        frontends:
          web:
            address: "::c000:201"
            pools:
              - name: p
                backends: { b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.address', line: 7, col: 16, message: /^IPv6 address ::c000:201 is in ::\/96, which VPP's lb plugin takes for the IPv4 address 192\.0\.2\.1;/ }],
  },
  {
    name: 'a member whose backend is invalid gets no second error (no family or address comparison)',
    text: yaml(`
      maglev:
        vpp: { lb: { ipv4-src-address: 192.0.2.254 } }
        backends:
          a: { address: "::ffff:10.0.0.1" }
          b: { address: 10.0.0.2 }
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: { a: {}, b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.a.address', line: 4, col: 19, message: /IPv4-mapped IPv6 address .* is not allowed/ }],
  },
  {
    name: 'transition-history 0',
    text: yaml(`
      maglev:
        healthchecker:
          transition-history: 0
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecker.transition-history', line: 3, col: 25, message: /^must be between 1 and 1000, got 0$/ }],
  },
  {
    name: 'transition-history 1001',
    text: yaml(`
      maglev:
        healthchecker:
          transition-history: 1001
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecker.transition-history', line: 3, col: 25, message: /got 1001/ }],
  },
  {
    name: 'netns with a slash',
    text: yaml(`
      maglev:
        healthchecker:
          netns: "bad/ns"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecker.netns', line: 3, col: 12, message: /invalid netns name "bad\/ns"/ }],
  },
  {
    name: 'sync-interval below 1s',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sync-interval: 500ms
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.sync-interval', line: 4, col: 22, message: /^must be at least 1s, got 500ms$/ }],
  },
  {
    name: 'sticky buckets not a power of 2',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sticky-buckets-per-core: 1000
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.sticky-buckets-per-core', line: 4, col: 32, message: /power of 2 .* got 1000/ }],
  },
  {
    name: 'sticky buckets 0',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sticky-buckets-per-core: 0
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.sticky-buckets-per-core', line: 4, col: 32, message: /power of 2/ }],
  },
  {
    name: 'sticky buckets 2^32',
    text: yaml(`
      maglev:
        vpp:
          lb:
            sticky-buckets-per-core: 4294967296
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.sticky-buckets-per-core', line: 4, col: 32, message: /power of 2/ }],
  },
  {
    name: 'flow-timeout above 120s',
    text: yaml(`
      maglev:
        vpp:
          lb:
            flow-timeout: 121s
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.flow-timeout', line: 4, col: 21, message: /whole number of seconds from 1s to 120s, got 2m1s/ }],
  },
  {
    name: 'flow-timeout not whole seconds',
    text: yaml(`
      maglev:
        vpp:
          lb:
            flow-timeout: 1500ms
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.flow-timeout', line: 4, col: 21, message: /got 1\.5s/ }],
  },
  {
    name: 'flow-timeout 0',
    text: yaml(`
      maglev:
        vpp:
          lb:
            flow-timeout: 0
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.flow-timeout', line: 4, col: 21, message: /got 0s/ }],
  },
  {
    name: 'startup-min-delay above startup-max-delay',
    text: yaml(`
      maglev:
        vpp:
          lb:
            startup-min-delay: 10s
            startup-max-delay: 5s
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.startup-max-delay', line: 5, col: 26, message: /startup-min-delay \(10s\) must not exceed startup-max-delay \(5s\)/ }],
  },
  {
    name: 'startup-min-delay above the default max',
    text: yaml(`
      maglev:
        vpp:
          lb:
            startup-min-delay: 40s
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.startup-min-delay', line: 4, col: 26, message: /\(30s\)/ }],
  },
  {
    name: 'ipv4-src-address is IPv6',
    text: yaml(`
      maglev:
        vpp:
          lb:
            ipv4-src-address: 2001:db8::1
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.ipv4-src-address', line: 4, col: 25, message: /^must be an IPv4 address, got 2001:db8::1$/ }],
  },
  {
    name: 'ipv6-src-address is IPv4',
    text: yaml(`
      maglev:
        vpp:
          lb:
            ipv6-src-address: 192.0.2.1
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.ipv6-src-address', line: 4, col: 25, message: /must be an IPv6 address/ }],
  },
  {
    name: 'ipv6-src-address IPv4-mapped',
    text: yaml(`
      maglev:
        vpp:
          lb:
            ipv6-src-address: "::ffff:192.0.2.1"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.ipv6-src-address', line: 4, col: 25, message: /IPv4-mapped/ }],
  },
  {
    name: 'probe-ipv4-src is IPv6',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            probe-ipv4-src: "2001:db8::1"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.probe-ipv4-src', line: 5, col: 23, message: /must be an IPv4 address/ }],
  },
  {
    name: 'probe-ipv6-src is IPv4',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            probe-ipv6-src: 10.0.0.1
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.probe-ipv6-src', line: 5, col: 23, message: /must be an IPv6 address/ }],
  },
  {
    name: 'health check without type',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            port: 80
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.type', line: 3, col: 5, message: /^missing required key "type"$/ }],
  },
  {
    name: 'http check without port',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 3, col: 5, message: /missing required key "port"/ }],
  },
  {
    name: 'port above 65535',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 70000
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 5, col: 13, message: /between 1 and 65535, got 70000/ }],
  },
  {
    name: 'tcp port 0',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 0
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.port', line: 5, col: 13, message: /got 0/ }],
  },
  {
    name: 'interval below 50ms',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            interval: 10ms
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.interval', line: 5, col: 17, message: /^must be at least 50ms, got 10ms$/ }],
  },
  {
    name: 'timeout 0',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            timeout: 0
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.timeout', line: 5, col: 16, message: /greater than 0/ }],
  },
  {
    name: 'http path without a slash',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              path: healthz
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.path', line: 7, col: 15, message: /must start with "\/"/ }],
  },
  {
    name: 'response-code below 100',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-code: "99"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24, message: /invalid response code "99"/ }],
  },
  {
    name: 'response-code range high to low',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: https
            port: 443
            params:
              response-code: "400-200"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24, message: /"400-200"/ }],
  },
  {
    name: 'response-code 600 as an int',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-code: 600
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24, message: /"600"/ }],
  },
  {
    name: 'response-code 2xx',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-code: 2xx
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24, message: /"2xx"/ }],
  },
  {
    name: 'response-regexp does not compile',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-regexp: "("
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-regexp', line: 7, col: 26, message: /does not compile/ }],
  },
  {
    name: 'response-regexp with a backreference (RE2 refuses it)',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-regexp: "(a)\\\\1"
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-regexp', line: 7, col: 26, message: /^response-regexp does not compile \(RE2 syntax\): invalid escape sequence "\\\\1" at character 4 of the pattern$/ }],
  },
  {
    name: 'response-regexp with a lookahead (RE2 refuses it)',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-regexp: 'ok(?=x)'
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.h.params.response-regexp', line: 7, col: 26, message: /^response-regexp does not compile \(RE2 syntax\): invalid or unsupported Perl syntax "\(\?=" at character 3 of the pattern$/ }],
  },
  {
    name: 'health check name with a space',
    text: yaml(`
      maglev:
        healthchecks:
          "bad name":
            type: icmp
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.healthchecks.bad name', line: 3, col: 5, message: /invalid health check name "bad name"/ }],
  },
  {
    name: 'health check name of 65 characters',
    text: yaml(`
      maglev:
        healthchecks:
          ${'h'.repeat(65)}:
            type: icmp
    `),
    stage: 'semantic',
    // Key paths show at most 64 characters of a key (no valid name is longer), then the length.
    errors: [{ path: `maglev.healthchecks.${'h'.repeat(64)}… (65 characters)`, line: 3, col: 5, message: /invalid health check name/ }],
  },
  {
    name: 'backend name starting with a dash',
    text: yaml(`
      maglev:
        backends:
          "-x": { address: 10.0.0.1 }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.-x', line: 3, col: 5, message: /invalid backend name "-x"/ }],
  },
  {
    name: 'backend without address',
    text: yaml(`
      maglev:
        backends:
          a: { healthcheck: h }
        healthchecks:
          h: { type: icmp }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.a.address', line: 3, col: 5, message: /missing required key "address"/ }],
  },
  {
    name: 'backend address IPv4-mapped',
    text: yaml(`
      maglev:
        backends:
          a: { address: "::ffff:10.0.0.1" }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.a.address', line: 3, col: 19, message: /IPv4-mapped IPv6 address ::ffff:a00:1 is not allowed/ }],
  },
  {
    name: 'backend names a missing health check',
    text: yaml(`
      maglev:
        backends:
          a: { address: 10.0.0.1, healthcheck: nope }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.backends.a.healthcheck', line: 3, col: 42, message: /^unknown health check "nope"$/ }],
  },
  {
    name: 'frontend without address',
    text: frontends(`
      web:
        protocol: tcp
        port: 80
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.address', line: 13, col: 5, message: /missing required key "address"/ }],
  },
  {
    name: 'frontend without pools',
    text: frontends(`
      web:
        address: 192.0.2.1
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools', line: 13, col: 5, message: /missing required key "pools"/ }],
  },
  {
    name: 'frontend with an empty pool list',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools: []
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools', line: 15, col: 14, message: /at least one pool/ }],
  },
  {
    name: 'protocol without port',
    text: frontends(`
      web:
        address: 192.0.2.1
        protocol: tcp
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.port', line: 13, col: 5, message: /missing required key "port"/ }],
  },
  {
    name: 'protocol with port 0',
    text: frontends(`
      web:
        address: 192.0.2.1
        protocol: udp
        port: 0
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.port', line: 16, col: 13, message: /between 1 and 65535/ }],
  },
  {
    name: 'port without protocol',
    text: frontends(`
      web:
        address: 192.0.2.1
        port: 80
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.port', line: 15, col: 13, message: /unset or 0 when protocol is unset/ }],
  },
  {
    name: 'frontend address IPv4-mapped',
    text: frontends(`
      web:
        address: "::ffff:192.0.2.1"
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.address', line: 14, col: 16, message: /IPv4-mapped/ }],
  },
  {
    name: 'frontend name with a slash',
    text: frontends(`
      web/1:
        address: 192.0.2.1
        pools:
          - name: p
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web/1', line: 13, col: 5, message: /invalid frontend name "web\/1"/ }],
  },
  {
    name: 'pool without name',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].name', line: 16, col: 11, message: /missing required key "name"/ }],
  },
  {
    name: 'pool name with a space',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: "primary pool"
            backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].name', line: 16, col: 17, message: /invalid pool name "primary pool"/ }],
  },
  {
    name: 'two pools with one name',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends: { a: {} }
          - name: p
            backends: { b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[1].name', line: 18, col: 17, message: /duplicate pool name "p"/ }],
  },
  {
    name: 'pool without backends',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends', line: 16, col: 11, message: /missing required key "backends"/ }],
  },
  {
    name: 'pool with an empty backends map',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends', line: 17, col: 21, message: /at least one backend/ }],
  },
  {
    name: 'pool names a missing backend',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: {}
              zz: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.zz', line: 19, col: 13, message: /^unknown backend "zz"$/ }],
  },
  {
    name: 'backend in two pools of one frontend',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: {}
          - name: q
            backends:
              a: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[1].backends.a', line: 21, col: 13, message: /already in pool "p"/ }],
  },
  {
    name: 'weight 101',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: { weight: 101 }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.a.weight', line: 18, col: 26, message: /^must be between 0 and 100, got 101$/ }],
  },
  {
    name: 'panic-threshold 101',
    text: frontends(`
      web:
        address: 192.0.2.1
        panic-threshold: 101
        pools:
          - name: p
            backends:
              a: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.panic-threshold', line: 15, col: 24, message: /^must be between 0 and 100, got 101$/ }],
  },
  {
    name: 'panic-threshold as a percent string',
    text: frontends(`
      web:
        address: 192.0.2.1
        panic-threshold: 50%
        pools:
          - name: p
            backends:
              a: {}
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.frontends.web.panic-threshold', line: 15, col: 24, message: /expected an integer, got the string "50%"/ }],
  },
  {
    name: 'weight -1',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: { weight: -1 }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.a.weight', line: 18, col: 26, message: /got -1/ }],
  },
  {
    name: 'IPv4 and IPv6 backends in one frontend',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: {}
          - name: q
            backends:
              c: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[1].backends.c', line: 21, col: 13, message: /backend "c" is IPv6 but backend "a" is IPv4/ }],
  },
  {
    name: 'two backends with one address in a frontend',
    text: frontends(`
      web:
        address: 192.0.2.1
        pools:
          - name: p
            backends:
              a: {}
              d: {}
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web.pools[0].backends.d', line: 19, col: 13, message: /same address 10\.0\.0\.1 as backend "a"/ }],
  },
  {
    name: 'frontends on one address with different backend families',
    text: frontends(`
      web4:
        address: 192.0.2.1
        protocol: tcp
        port: 80
        pools:
          - name: p
            backends: { a: {} }
      web6:
        address: 192.0.2.1
        protocol: tcp
        port: 443
        pools:
          - name: p
            backends: { c: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web6.address', line: 21, col: 16, message: /"web4" shares address 192\.0\.2\.1 with IPv4 backends, this one has IPv6/ }],
  },
  {
    name: 'same address, protocol and port (IPv6 spelled two ways)',
    text: frontends(`
      web:
        address: "2001:db8::1"
        protocol: tcp
        port: 80
        pools:
          - name: p
            backends: { a: {} }
      web-again:
        address: "2001:DB8:0::1"
        protocol: tcp
        port: 80
        pools:
          - name: p
            backends: { b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.web-again.address', line: 21, col: 16, message: /"web" already has address 2001:db8::1, protocol tcp and port 80/ }],
  },
  {
    name: 'all-port frontend sharing its address',
    text: frontends(`
      web:
        address: 192.0.2.1
        protocol: tcp
        port: 80
        pools:
          - name: p
            backends: { a: {} }
      all:
        address: 192.0.2.1
        pools:
          - name: p
            backends: { b: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.frontends.all.address', line: 21, col: 16, message: /also used by frontend "web"; an all-port frontend/ }],
  },
  {
    name: 'IPv4 backends without ipv4-src-address',
    text: yaml(`
      maglev:
        vpp:
          lb:
            ipv6-src-address: 2001:db8::fe
        backends:
          a: { address: 10.0.0.1 }
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: { a: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.ipv4-src-address', line: 3, col: 5, message: /missing required key "ipv4-src-address": frontend "web" has IPv4 backends/ }],
  },
  {
    name: 'IPv6 backends without ipv6-src-address (no vpp section)',
    text: yaml(`
      maglev:
        backends:
          c: { address: "2001:db8::10" }
        frontends:
          web6:
            address: "2001:db8::1"
            pools:
              - name: p
                backends: { c: {} }
    `),
    stage: 'semantic',
    errors: [{ path: 'maglev.vpp.lb.ipv6-src-address', line: 1, col: 1, message: /"web6" has IPv6 backends/ }],
  },
];

const multiCases: ErrorCase[] = [
  {
    name: 'slow-start out of range on a health check and a backend',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            slow-start: 500ms
            slow-start-steps: 21
        backends:
          a:
            address: 10.0.0.1
            slow-start: 2h
            slow-start-steps: 0
    `),
    stage: 'semantic',
    errors: [
      { path: 'maglev.healthchecks.h.slow-start', line: 5, col: 19, message: /^must be 0 \(off\) or from 1s to 1h, got 500ms$/ },
      { path: 'maglev.healthchecks.h.slow-start-steps', line: 6, col: 25, message: /^must be between 1 and 20, got 21$/ },
      { path: 'maglev.backends.a.slow-start', line: 10, col: 19, message: /^must be 0 \(off\) or from 1s to 1h, got 2h0m0s$/ },
      { path: 'maglev.backends.a.slow-start-steps', line: 11, col: 25, message: /^must be between 1 and 20, got 0$/ },
    ],
  },
  {
    name: 'reuse-connection on a tcp and an icmp check, and not a boolean',
    text: yaml(`
      maglev:
        healthchecks:
          t:
            type: tcp
            port: 22
            reuse-connection: true
          i:
            type: icmp
            reuse-connection: true
          h:
            type: http
            port: 80
            reuse-connection: false
    `),
    stage: 'semantic',
    errors: [
      { path: 'maglev.healthchecks.t.reuse-connection', line: 6, col: 25, message: /^reuse-connection applies only to http and https health checks, not tcp$/ },
      { path: 'maglev.healthchecks.i.reuse-connection', line: 9, col: 25, message: /^reuse-connection applies only to http and https health checks, not icmp$/ },
    ],
  },
  {
    name: 'reuse-connection of the wrong type',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            reuse-connection: "yes"
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.healthchecks.h.reuse-connection', line: 6, col: 25, message: /^expected true or false, got the string "yes"$/ }],
  },
  {
    name: 'agent check: every key out of range, positioned',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            agent:
              port: 70000
              interval: 10ms
              timeout: 0s
              send: "${'x'.repeat(257)}"
          i:
            type: icmp
            agent: {}
          j:
            agent: { port: 9999, send: "tab\\there" }
    `),
    stage: 'semantic',
    errors: [
      { path: 'maglev.healthchecks.h.agent.port', line: 7, col: 15, message: /^must be between 1 and 65535, got 70000$/ },
      { path: 'maglev.healthchecks.h.agent.interval', line: 8, col: 19, message: /^must be at least 50ms, got 10ms$/ },
      { path: 'maglev.healthchecks.h.agent.timeout', line: 9, col: 18, message: /^must be greater than 0$/ },
      { path: 'maglev.healthchecks.h.agent.send', line: 10, col: 15, message: /^must be printable ASCII of at most 256 characters/ },
      { path: 'maglev.healthchecks.i.agent.port', line: 13, col: 7, message: /missing required key "port"/ },
      { path: 'maglev.healthchecks.j.type', line: 14, col: 5, message: /missing required key "type"/ },
      { path: 'maglev.healthchecks.j.agent.send', line: 15, col: 34, message: /^must be printable ASCII/ },
    ],
  },
  {
    name: 'agent check: unknown keys and wrong types',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            agent:
              port: "9999"
              weight: 5
    `),
    stage: 'parse',
    errors: [
      { path: 'maglev.healthchecks.h.agent.port', line: 7, col: 15, message: /expected an integer/ },
      { path: 'maglev.healthchecks.h.agent.weight', line: 8, col: 9, message: /unknown key "weight"/ },
    ],
  },
  {
    name: 'slow-start of the wrong type',
    text: yaml(`
      maglev:
        backends:
          a:
            address: 10.0.0.1
            slow-start: slowly
            slow-start-steps: "4"
    `),
    stage: 'parse',
    errors: [
      { path: 'maglev.backends.a.slow-start', line: 5, col: 19, message: /invalid duration "slowly"/ },
      { path: 'maglev.backends.a.slow-start-steps', line: 6, col: 25, message: /expected an integer, got the string "4"/ },
    ],
  },
  {
    name: 'structural errors in every section, all reported',
    text: yaml(`
      maglev:
        healthchecker:
          transition-history: "5"
        vpp:
          lb:
            flow-timeout: 40
        healthchecks:
          h:
            type: tcp
            port: 80
            colour: red
        backends:
          a: { address: 10.0.0.1, enabled: no }
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: { a: { weight: "100" } }
    `),
    stage: 'parse',
    errors: [
      { path: 'maglev.healthchecker.transition-history', line: 3, col: 25, message: /expected an integer/ },
      { path: 'maglev.vpp.lb.flow-timeout', line: 6, col: 21, message: /expected a duration/ },
      { path: 'maglev.healthchecks.h.colour', line: 11, col: 7, message: /unknown key/ },
      { path: 'maglev.backends.a.enabled', line: 13, col: 38, message: /expected true or false/ },
      { path: 'maglev.frontends.web.pools[0].backends.a.weight', line: 19, col: 36, message: /expected an integer/ },
    ],
  },
  {
    name: 'semantic errors across sections, all reported in file order',
    text: yaml(`
      maglev:
        healthchecker:
          transition-history: 0
        vpp:
          lb:
            sticky-buckets-per-core: 3
            flow-timeout: 0s
        healthchecks:
          h:
            type: http
            port: 80
            params:
              response-code: "600"
        backends:
          a: { address: 10.0.0.1, healthcheck: missing }
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: { a: { weight: 200 }, z: {} }
    `),
    stage: 'semantic',
    errors: [
      { path: 'maglev.healthchecker.transition-history', line: 3, col: 25 },
      { path: 'maglev.vpp.lb.ipv4-src-address', line: 5, col: 5, message: /missing required key/ },
      { path: 'maglev.vpp.lb.sticky-buckets-per-core', line: 6, col: 32 },
      { path: 'maglev.vpp.lb.flow-timeout', line: 7, col: 21 },
      { path: 'maglev.healthchecks.h.params.response-code', line: 13, col: 24 },
      { path: 'maglev.backends.a.healthcheck', line: 15, col: 42 },
      { path: 'maglev.frontends.web.pools[0].backends.a.weight', line: 21, col: 36 },
      { path: 'maglev.frontends.web.pools[0].backends.z', line: 21, col: 43, message: /unknown backend "z"/ },
    ],
  },
  {
    name: 'interval bounds, rise and fall together',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            fast-interval: 49ms
            down-interval: 1ms
            rise: 0
            fall: 101
    `),
    stage: 'semantic',
    errors: [
      { path: 'maglev.healthchecks.h.fast-interval', line: 5, col: 22, message: /got 49ms/ },
      { path: 'maglev.healthchecks.h.down-interval', line: 6, col: 22, message: /got 1ms/ },
      { path: 'maglev.healthchecks.h.rise', line: 7, col: 13, message: /between 1 and 100, got 0/ },
      { path: 'maglev.healthchecks.h.fall', line: 8, col: 13, message: /got 101/ },
    ],
  },
  {
    name: 'structural errors hide semantic ones',
    text: yaml(`
      maglev:
        healthchecker:
          transition-history: 0
        backends:
          a: { address: 10.0.0.1, enabled: 1 }
    `),
    stage: 'parse',
    errors: [{ path: 'maglev.backends.a.enabled', line: 5, col: 38, message: /got the number 1/ }],
  },
];

t.test('invalid configs: stage, path and position of every error', async (t) => {
  const all = [...structuralCases, ...semanticCases];
  t.ok(all.length >= 45, `${all.length} single-error cases`);
  for (const c of [...all, ...multiCases]) {
    const got = parseConfig(c.text);
    if (got.ok) {
      t.fail(`${c.name}: loaded`);
      continue;
    }
    t.equal(got.stage, c.stage, `${c.name}: stage`);
    checkIssues(t, got.errors, c.errors, c.name);
  }
});

interface WarningCase {
  readonly name: string;
  readonly text: string;
  readonly warnings: readonly Want[];
  readonly check?: (t: Test, c: Config) => void;
}

const warningCases: WarningCase[] = [
  {
    name: 'https-only params on http',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: http
            port: 80
            params:
              server-name: example.com
              insecure-skip-verify: true
              ssl: true
    `),
    warnings: [
      { path: 'maglev.healthchecks.h.params.server-name', line: 7, col: 22, message: /^server-name does not apply to http health checks; ignored$/ },
      { path: 'maglev.healthchecks.h.params.insecure-skip-verify', line: 8, col: 31 },
      { path: 'maglev.healthchecks.h.params.ssl', line: 9, col: 14 },
    ],
    check: (t, c) => t.match(c.healthchecks.get('h')?.http, { serverName: undefined, insecureSkipVerify: false }),
  },
  {
    name: 'tls params on tcp without ssl, http params on tcp',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 443
            params:
              server-name: example.com
              path: /x
    `),
    warnings: [
      { path: 'maglev.healthchecks.h.params.server-name', line: 7, col: 22, message: /applies only with ssl: true/ },
      { path: 'maglev.healthchecks.h.params.path', line: 8, col: 15, message: /path does not apply to tcp/ },
    ],
    check: (t, c) => t.same(c.healthchecks.get('h')?.tcp, { ssl: false, serverName: undefined, insecureSkipVerify: false }),
  },
  {
    name: 'tls params on tcp with ssl: no warning',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 443
            params:
              ssl: true
              server-name: example.com
              insecure-skip-verify: true
    `),
    warnings: [],
    check: (t, c) => t.same(c.healthchecks.get('h')?.tcp, { ssl: true, serverName: 'example.com', insecureSkipVerify: true }),
  },
  {
    name: 'ssl on https',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: https
            port: 443
            params:
              ssl: true
    `),
    warnings: [{ path: 'maglev.healthchecks.h.params.ssl', line: 7, col: 14, message: /does not apply to https/ }],
  },
  {
    name: 'port and params on icmp',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: icmp
            port: 80
            params:
              path: /
    `),
    warnings: [
      { path: 'maglev.healthchecks.h.port', line: 5, col: 13, message: /^port does not apply to icmp health checks; ignored$/ },
      { path: 'maglev.healthchecks.h.params.path', line: 7, col: 15, message: /does not apply to icmp/ },
    ],
    check: (t, c) => t.match(c.healthchecks.get('h'), { port: 0, http: undefined, tcp: undefined }),
  },
  {
    name: 'ignored params are not validated',
    text: yaml(`
      maglev:
        healthchecks:
          h:
            type: tcp
            port: 80
            params:
              response-code: "999"
              response-regexp: "("
    `),
    warnings: [
      { path: 'maglev.healthchecks.h.params.response-code', line: 7, col: 24 },
      { path: 'maglev.healthchecks.h.params.response-regexp', line: 8, col: 26 },
    ],
  },
  {
    name: 'backend no frontend uses',
    text: yaml(`
      maglev:
        vpp:
          lb:
            ipv4-src-address: 192.0.2.254
        backends:
          a: { address: 10.0.0.1 }
          spare: { address: 10.0.0.9 }
        frontends:
          web:
            address: 192.0.2.1
            pools:
              - name: p
                backends: { a: {} }
    `),
    warnings: [{ path: 'maglev.backends.spare', line: 7, col: 5, message: /^backend "spare" is not used by any frontend; it is not probed$/ }],
    check: (t, c) => {
      t.same([...c.backends.keys()], ['a', 'spare'], 'unreferenced backends stay in the config');
      t.same(referencedBackends(c), ['a']);
    },
  },
];

t.test('warnings: valid configs with ignored keys', async (t) => {
  for (const c of warningCases) {
    const got = parseConfig(c.text);
    const config = mustLoad(t, got, c.name);
    if (got.ok) checkIssues(t, got.warnings, c.warnings, c.name);
    c.check?.(t, config);
  }
});

t.test('examples/maglev.yaml resolves values and defaults', async (t) => {
  const load = await loadConfigFile(new URL('../../examples/maglev.yaml', import.meta.url).pathname);
  const c = mustLoad(t, load, 'examples/maglev.yaml');
  t.same(load.ok && load.warnings, [], 'no warnings');
  t.same(c.healthchecker, { transitionHistory: 10, netns: 'dataplane' });
  t.same(c.vpp.lb, {
    syncIntervalMs: 30_000,
    ipv4SrcAddress: '192.0.2.254',
    ipv6SrcAddress: '2001:db8::fe',
    stickyBucketsPerCore: 65536,
    flowTimeoutS: 40,
    startupMinDelayMs: 5000,
    startupMaxDelayMs: 30_000,
  });
  t.same(c.healthchecks.get('http-healthz'), {
    name: 'http-healthz',
    type: 'http',
    port: 80,
    intervalMs: 2000,
    fastIntervalMs: 500,
    downIntervalMs: 10_000,
    timeoutMs: 1000,
    rise: 2,
    fall: 3,
    probeIpv4Src: '192.0.2.254',
    probeIpv6Src: undefined,
    http: {
      path: '/.well-known/ipng/healthz',
      host: 'www.example.com',
      responseCodeMin: 200,
      responseCodeMax: 399,
      responseRegexp: 'ok',
      serverName: undefined,
      insecureSkipVerify: false,
    },
    tcp: undefined,
  });
  t.match(c.healthchecks.get('https-healthz'), {
    fastIntervalMs: 2000,
    downIntervalMs: 2000,
    timeoutMs: 1000,
    rise: 2,
    fall: 3,
    http: { path: '/healthz', serverName: 'www.example.com', responseCodeMin: 200, responseCodeMax: 399 },
  });
  t.same(c.healthchecks.get('smtp-tls')?.tcp, { ssl: true, serverName: 'mail.example.com', insecureSkipVerify: false });
  t.match(c.healthchecks.get('ping'), { type: 'icmp', port: 0, intervalMs: 1000, fastIntervalMs: 1000, timeoutMs: 500, http: undefined, tcp: undefined });
  t.same(c.backends.get('nginx6-ams'), { name: 'nginx6-ams', address: '2001:db8:1::10', family: 6, healthcheck: 'https-healthz', enabled: true });
  t.equal(c.backends.get('nginx6-fra')?.enabled, false);
  t.equal(c.backends.get('static-1')?.healthcheck, undefined, 'static backend');
  t.same([...c.frontends.keys()], ['web4', 'web4-legacy6', 'web6', 'smtps', 'dns', 'anycast-all'], 'YAML order');
  t.same(c.frontends.get('web4'), {
    name: 'web4',
    address: '198.51.100.1',
    family: 4,
    protocol: 'tcp',
    port: 80,
    description: 'public web, IPv4',
    srcIpSticky: false,
    flushOnDown: true,
    panicThreshold: 0,
    pools: [
      { name: 'primary', members: [{ backend: 'nginx0-ams', weight: 100 }, { backend: 'nginx0-fra', weight: 100 }] },
      { name: 'fallback', members: [{ backend: 'nginx1-zrh', weight: 50 }] },
    ],
  });
  t.same(c.frontends.get('web6')?.pools[0]?.members, [{ backend: 'nginx6-ams', weight: 100 }, { backend: 'nginx6-fra', weight: 0 }]);
  t.match(c.frontends.get('web4-legacy6'), { family: 6, address: '2001:db8::2' }, 'IPv6 VIP with IPv4 backends');
  t.match(c.frontends.get('dns'), { protocol: 'udp', port: 53, flushOnDown: false, description: '', srcIpSticky: false });
  t.match(c.frontends.get('anycast-all'), { protocol: 'any', port: 0 });
});

t.test('the loaded config is deeply immutable', async (t) => {
  const c = mustLoad(t, parseConfig(readFileSync(new URL('../../examples/maglev.yaml', import.meta.url), 'utf8')), 'example');
  t.ok(Object.isFrozen(c) && Object.isFrozen(c.vpp.lb) && Object.isFrozen(c.healthchecks));
  const web4 = c.frontends.get('web4')!;
  t.ok(Object.isFrozen(web4) && Object.isFrozen(web4.pools) && Object.isFrozen(web4.pools[0]!.members[0]));
  t.ok(Object.isFrozen(c.healthchecks.get('http-healthz')!.http));
  t.throws(() => (c.frontends as Map<string, unknown>).set('x', {}), TypeError);
  t.throws(() => (c.backends as Map<string, unknown>).delete('static-1'), TypeError);
  t.throws(() => (c.healthchecks as Map<string, unknown>).clear(), TypeError);
  t.equal(c.backends.size, 10, 'unchanged');
});

t.test('examples/maglev-demo.yaml stays on loopback', async (t) => {
  const load = await loadConfigFile(new URL('../../examples/maglev-demo.yaml', import.meta.url).pathname);
  const c = mustLoad(t, load, 'examples/maglev-demo.yaml');
  t.same(load.ok && load.warnings, [], 'no warnings');
  t.equal(c.healthchecker.netns, '', 'no netns');
  t.match(c.vpp.lb, { startupMinDelayMs: 1000, startupMaxDelayMs: 5000, ipv6SrcAddress: undefined });
  for (const b of c.backends.values()) t.match(b.address, /^127\./, `backend ${b.name} on loopback`);
  for (const f of c.frontends.values()) t.match(f.address, /^127\.0\.9\.|^fd/, `frontend ${f.name} VIP`);
  t.ok([...c.frontends.values()].some((f) => f.family === 6), 'has an IPv6 VIP');
  t.ok([...c.frontends.values()].some((f) => f.pools.length === 2), 'has a frontend with two pools');
  t.ok([...c.frontends.values()].some((f) => f.protocol === 'any'), 'has an all-port VIP');
  t.match(c.healthchecks.get('http'), { port: 8080, http: { path: '/healthz' }, intervalMs: 1000, fastIntervalMs: 250 });
  t.match(c.healthchecks.get('https'), { port: 8443, http: { insecureSkipVerify: true } });
  t.match(c.healthchecks.get('tcp-tls'), { port: 8443, tcp: { ssl: true, insecureSkipVerify: true } });
  t.match(c.healthchecks.get('tcp'), { type: 'tcp', port: 8080 });
  t.equal([...c.backends.values()].filter((b) => b.healthcheck === 'ping').length, 2, 'two icmp-checked backends');
  t.ok([...c.backends.values()].some((b) => b.healthcheck === undefined), 'a static backend');
});

t.test('valid edge cases', async (t) => {
  const cases: Array<{ name: string; text: string; check: (t: Test, c: Config) => void }> = [
    {
      name: 'response-regexp in RE2 syntax that JavaScript lacks (inline flags, \\z)',
      text: yaml(`
        maglev:
          healthchecks:
            h:
              type: http
              port: 80
              params:
                response-regexp: '(?i)^status: ok\\z'
      `),
      check: (t, c) => t.equal(c.healthchecks.get('h')?.http?.responseRegexp, '(?i)^status: ok\\z'),
    },
    {
      name: 'reuse-connection on http and https checks; off by default',
      text: yaml(`
        maglev:
          healthchecks:
            a: { type: http, port: 80, reuse-connection: true }
            b: { type: https, port: 443, reuse-connection: true }
            c: { type: http, port: 80 }
            d: { type: http, port: 80, reuse-connection: false }
      `),
      check: (t, c) => {
        t.equal(c.healthchecks.get('a')?.reuseConnection, true);
        t.equal(c.healthchecks.get('b')?.reuseConnection, true);
        t.equal(c.healthchecks.get('c')?.reuseConnection, undefined);
        t.equal(c.healthchecks.get('d')?.reuseConnection, undefined);
      },
    },
    {
      name: 'maglev with nothing under it: all defaults',
      text: 'maglev:\n',
      check: (t, c) => {
        t.same(c.healthchecker, { transitionHistory: 5, netns: '' });
        t.same(c.vpp.lb, {
          syncIntervalMs: 30_000,
          ipv4SrcAddress: undefined,
          ipv6SrcAddress: undefined,
          stickyBucketsPerCore: 65536,
          flowTimeoutS: 40,
          startupMinDelayMs: 5000,
          startupMaxDelayMs: 30_000,
        });
        t.equal(c.frontends.size + c.backends.size + c.healthchecks.size, 0);
      },
    },
    {
      name: 'slow-start: a health check sets it for its backends; a backend overrides or turns it off',
      text: yaml(`
        maglev:
          healthchecks:
            slow: { type: icmp, slow-start: 1m, slow-start-steps: 6 }
            quick: { type: icmp, slow-start: 10s }
            plain: { type: icmp }
          backends:
            inherits: { address: 10.0.0.1, healthcheck: slow }
            default-steps: { address: 10.0.0.2, healthcheck: quick }
            own-window: { address: 10.0.0.3, healthcheck: slow, slow-start: 30s }
            own-steps: { address: 10.0.0.4, healthcheck: slow, slow-start-steps: 2 }
            off: { address: 10.0.0.5, healthcheck: slow, slow-start: 0 }
            none: { address: 10.0.0.6, healthcheck: plain }
            static: { address: 10.0.0.7, slow-start: 5s, slow-start-steps: 1 }
      `),
      check: (t, c) => {
        const got = Object.fromEntries([...c.backends.values()].map((b) => [b.name, b.slowStart]));
        t.same(got, {
          inherits: { windowMs: 60_000, steps: 6 },
          'default-steps': { windowMs: 10_000, steps: 4 },
          'own-window': { windowMs: 30_000, steps: 6 },
          'own-steps': { windowMs: 60_000, steps: 2 },
          off: undefined,
          none: undefined,
          static: { windowMs: 5000, steps: 1 },
        });
        t.notOk('slowStart' in c.backends.get('none')!, 'no slow start: no key');
      },
    },
    {
      name: 'agent check: defaults from the health check, or its own keys; absent: no agent',
      text: yaml(`
        maglev:
          healthchecks:
            own: { type: tcp, port: 80, agent: { port: 9999, interval: 500ms, timeout: 200ms, send: "status web" } }
            inherits: { type: icmp, interval: 3s, timeout: 2s, agent: { port: 8888 } }
            defaults: { type: icmp, agent: { port: 7777 } }
            none: { type: icmp }
      `),
      check: (t, c) => {
        t.same(c.healthchecks.get('own')?.agent, { port: 9999, intervalMs: 500, timeoutMs: 200, send: 'status web' });
        t.same(c.healthchecks.get('inherits')?.agent, { port: 8888, intervalMs: 3000, timeoutMs: 2000, send: undefined });
        t.same(c.healthchecks.get('defaults')?.agent, { port: 7777, intervalMs: 2000, timeoutMs: 1000, send: undefined });
        t.notOk('agent' in c.healthchecks.get('none')!, 'no agent block: no key');
      },
    },
    {
      name: 'panic-threshold 0 (off) and 100',
      text: frontends(`
        off:
          address: 192.0.2.1
          protocol: tcp
          port: 80
          panic-threshold: 0
          pools: [{ name: p, backends: { a: {} } }]
        always:
          address: 192.0.2.1
          protocol: tcp
          port: 81
          panic-threshold: 100
          pools: [{ name: p, backends: { a: {} } }]
      `),
      check: (t, c) => t.same([c.frontends.get('off')?.panicThreshold, c.frontends.get('always')?.panicThreshold], [0, 100]),
    },
    {
      name: 'empty sections',
      text: yaml(`
        maglev:
          healthchecker:
          vpp:
            lb:
          healthchecks:
          backends: {}
          frontends:
      `),
      check: (t, c) => t.equal(c.frontends.size, 0),
    },
    {
      name: 'anchors and aliases',
      text: yaml(`
        maglev:
          healthchecks:
            a: &hc { type: tcp, port: 80, rise: 4 }
            b: *hc
      `),
      check: (t, c) => t.match(c.healthchecks.get('b'), { name: 'b', type: 'tcp', port: 80, rise: 4 }),
    },
    {
      name: 'intervals default to interval; response-code forms',
      text: yaml(`
        maglev:
          healthchecks:
            one:
              type: http
              port: 80
              interval: 5s
              params: { response-code: 204 }
            two:
              type: https
              port: 443
              params: { response-code: "200-299" }
      `),
      check: (t, c) => {
        t.match(c.healthchecks.get('one'), { intervalMs: 5000, fastIntervalMs: 5000, downIntervalMs: 5000, http: { responseCodeMin: 204, responseCodeMax: 204 } });
        t.match(c.healthchecks.get('two'), { http: { responseCodeMin: 200, responseCodeMax: 299, path: '/' } });
      },
    },
    {
      name: 'durations: bare 0, fractions, minutes',
      text: yaml(`
        maglev:
          vpp:
            lb:
              startup-min-delay: 0
              startup-max-delay: 1m30s
              sync-interval: 1.5s
      `),
      check: (t, c) => t.match(c.vpp.lb, { startupMinDelayMs: 0, startupMaxDelayMs: 90_000, syncIntervalMs: 1500 }),
    },
    {
      name: 'startup-max-delay 0 alone disables the warmup: the default min follows it',
      text: 'maglev:\n  vpp:\n    lb:\n      startup-max-delay: 0\n',
      check: (t, c) => t.match(c.vpp.lb, { startupMinDelayMs: 0, startupMaxDelayMs: 0 }),
    },
    {
      name: 'startup-max-delay below the default min',
      text: 'maglev:\n  vpp:\n    lb:\n      startup-max-delay: 3s\n',
      check: (t, c) => t.match(c.vpp.lb, { startupMinDelayMs: 3000, startupMaxDelayMs: 3000 }),
    },
    {
      name: 'null member, explicit weight 0, port 0 on an all-port frontend',
      text: frontends(`
        web:
          address: 192.0.2.1
          port: 0
          pools:
            - name: p
              backends:
                a:
            - name: q
              backends:
                b: { weight: 0 }
      `),
      check: (t, c) =>
        t.same(c.frontends.get('web')?.pools, [
          { name: 'p', members: [{ backend: 'a', weight: 100 }] },
          { name: 'q', members: [{ backend: 'b', weight: 0 }] },
        ]),
    },
    {
      name: 'one address: tcp and udp on one port, and an IPv6 VIP with IPv4 backends',
      text: frontends(`
        web-tcp:
          address: "2001:DB8:0:0::A"
          protocol: tcp
          port: 53
          pools:
            - name: p
              backends: { a: {} }
        web-udp:
          address: "2001:db8::a"
          protocol: udp
          port: 53
          pools:
            - name: p
              backends: { b: {} }
      `),
      check: (t, c) => {
        t.match(c.frontends.get('web-tcp'), { address: '2001:db8::a', family: 6, protocol: 'tcp' }, 'canonical RFC 5952 form');
        t.match(c.frontends.get('web-udp'), { address: '2001:db8::a', protocol: 'udp' });
      },
    },
  ];
  for (const c of cases) {
    const load = parseConfig(c.text);
    c.check(t, mustLoad(t, load, c.name));
  }
});

t.test('a number or boolean where a string belongs reads as its source text', async (t) => {
  const cases: Array<{ name: string; in: string; want: string }> = [
    { name: 'decimal', in: '42', want: '42' },
    { name: 'hex keeps its spelling', in: '0x10', want: '0x10' },
    { name: 'float', in: '1.50', want: '1.50' },
    { name: 'boolean', in: 'true', want: 'true' },
  ];
  for (const c of cases) {
    const text = yaml(`
      maglev:
        vpp: { lb: { ipv4-src-address: 192.0.2.254 } }
        backends:
          a: { address: 10.0.0.1 }
        frontends:
          web:
            address: 192.0.2.1
            description: ${c.in}
            pools:
              - name: p
                backends: { a: {} }
    `);
    t.equal(mustLoad(t, parseConfig(text), c.name).frontends.get('web')?.description, c.want, c.name);
  }
});

t.test('loadConfigFile', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-config-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const missing = await loadConfigFile(join(dir, 'nope.yaml'));
  t.match(missing, { ok: false, stage: 'parse', errors: [{ path: '', line: 0, col: 0, message: /cannot read config file: ENOENT/ }] });
  if (!missing.ok) t.match(formatIssue(missing.errors[0]!), /^cannot read config file: ENOENT/, 'no position in the text');
  const file = join(dir, 'bad.yaml');
  await writeFile(file, 'maglev:\n  bogus: 1\n');
  const bad = await loadConfigFile(file);
  t.match(bad, { ok: false, stage: 'parse', errors: [{ path: 'maglev.bogus', line: 2, col: 3 }] });
  const big = join(dir, 'big.yaml');
  await writeFile(big, `maglev:\n${'#'.repeat(maxConfigBytes)}`);
  t.match(await loadConfigFile(big), { ok: false, stage: 'parse', errors: [{ path: '', line: 2, col: maxConfigBytes - 8 + 1, message: /larger than 16777216 bytes/ }] }, 'a file over the limit is not parsed');
});

t.test('formatIssue', async (t) => {
  const cases: Array<{ in: ConfigIssue; want: string }> = [
    { in: { path: 'maglev.backends.a.address', line: 12, col: 14, message: 'bad' }, want: 'maglev.backends.a.address (12:14): bad' },
    { in: { path: '', line: 3, col: 1, message: 'YAML: oops' }, want: '(3:1): YAML: oops' },
    { in: { path: '', line: 0, col: 0, message: 'cannot read' }, want: 'cannot read' },
  ];
  for (const c of cases) t.equal(formatIssue(c.in), c.want);
});

/** Every issue of a failed load as the client sees it. */
function errorText(r: ConfigLoad): string {
  return r.ok ? '' : r.errors.map(formatIssue).join('\n');
}

t.test('errors quote at most a short, escaped snippet of the file', async (t) => {
  const shadow = 'root:$6$Zm9vYmFy$c2VjcmV0aGFzaA:20228:0:99999:7:::\ndaemon:*:20228:0:99999:7:::\nbin:*:20228:0:99999:7:::\n';
  const environ = 'PATH=/usr/bin\u0000SECRET_TOKEN=s3cr3t\u0000HOME=/root\u0000';
  const cases = [
    { name: 'a shadow file: one generic issue, no line echoed', in: shadow, want: [{ path: '', line: 1, col: 1, message: /^missing the top-level key maglev: the file does not look like a maglev config/ }], absent: ['root', 'Zm9v', 'daemon'] },
    { name: 'an environ file: one generic issue, no variable echoed', in: environ, want: [{ path: '', line: 1, col: 1, message: /^expected a mapping, got a single scalar: the file does not look like a maglev config/ }], absent: ['SECRET', 's3cr3t', 'PATH'] },
    { name: 'a bare number', in: '12345\n', want: [{ path: '', line: 1, col: 1, message: /got a single scalar/ }], absent: ['12345'] },
    {
      name: 'a 3 MB scalar is cut to 40 characters',
      in: `maglev:\n  backends:\n    a: { address: ${'z'.repeat(3_000_000)} }\n`,
      want: [{ path: 'maglev.backends.a.address', line: 3, col: 19, message: `expected an IP address literal, got "${'z'.repeat(40)}…" (3000000 characters)` }],
      absent: ['z'.repeat(41)],
    },
    {
      name: 'control characters in a value are escaped',
      in: 'maglev:\n  healthchecker:\n    netns: "a\\u0007b\\u001b[31m"\n',
      stage: 'semantic',
      want: [{ path: 'maglev.healthchecker.netns', line: 3, col: 12, message: /^invalid netns name "a\\u0007b\\u001b\[31m"/ }],
      absent: ['\u0007', '\u001b'],
    },
    {
      name: 'an odd key is escaped in the path and the message',
      in: 'maglev:\n  "bad\\u0000key": 1\n',
      want: [{ path: 'maglev.bad\\u0000key', line: 2, col: 3, message: /^unknown key "bad\\u0000key"/ }],
      absent: ['\u0000'],
    },
    {
      name: 'a long number is cut',
      in: `maglev:\n  backends: ${'9'.repeat(500)}\n`,
      want: [{ path: 'maglev.backends', line: 2, col: 13, message: `expected a mapping, got the number ${'9'.repeat(40)}… (500 characters)` }],
      absent: ['9'.repeat(41)],
    },
    {
      name: 'a long unresolved tag from the YAML parser is cut',
      in: `maglev:\n  backends: !${'t'.repeat(5000)} x\n`,
      want: [{ path: '', line: 2, col: 13, message: /^YAML: Unresolved tag: !t+…$/ }],
      absent: ['t'.repeat(200)],
    },
  ];
  for (const c of cases) {
    const r = parseConfig(c.in);
    t.match(r, { ok: false, stage: 'stage' in c ? c.stage : 'parse' }, `${c.name}: refused`);
    if (r.ok) continue;
    t.equal(r.errors.length, c.want.length, `${c.name}: count`);
    t.match(r.errors, c.want, c.name);
    const text = errorText(r);
    for (const a of c.absent) t.notOk(text.includes(a), `${c.name}: ${JSON.stringify(a.slice(0, 20))} is not echoed`);
    t.ok(text.length < 400, `${c.name}: ${text.length} characters of error text`);
  }
});

t.test('at most maxReportedIssues issues are reported, then one counts the rest', async (t) => {
  t.equal(maxReportedIssues, 100);
  const keys = Array.from({ length: 250 }, (_, i) => `  k${i}: 1`).join('\n');
  const r = parseConfig(`maglev:\n${keys}\n`);
  if (r.ok) {
    t.fail('loaded');
    return;
  }
  t.equal(r.errors.length, 101);
  t.match(r.errors[99], { path: 'maglev.k99', line: 101, col: 3, message: /unknown key "k99"/ });
  t.same(r.errors[100], { path: 'maglev.k100', line: 102, col: 3, message: '150 more problems from here on are not shown' });
  const unused = Array.from({ length: 150 }, (_, i) => `    u${i}: { address: 10.0.1.${i} }`).join('\n');
  const w = parseConfig(`maglev:\n  backends:\n${unused}\n`);
  if (!w.ok) {
    t.fail(errorText(w));
    return;
  }
  t.equal(w.warnings.length, 101, 'warnings are capped the same way');
  t.match(w.warnings[100], { path: 'maglev.backends.u100', message: '50 more problems from here on are not shown' });
});

t.test('an unfrozen load (the worker thread) is frozen by freezeConfigLoad', async (t) => {
  const text = 'maglev:\n  backends:\n    a: { address: 10.0.0.1 }\n';
  const raw = parseConfig(text, { freeze: false });
  if (!raw.ok) {
    t.fail(errorText(raw));
    return;
  }
  t.notOk(Object.isFrozen(raw.config), 'not frozen');
  const copy = structuredClone(raw);
  const frozen = freezeConfigLoad(copy);
  if (!frozen.ok) {
    t.fail('not ok');
    return;
  }
  t.ok(Object.isFrozen(frozen.config) && Object.isFrozen(frozen.config.backends.get('a')), 'frozen after the copy');
  t.throws(() => (frozen.config.backends as Map<string, unknown>).set('b', {}), /immutable/);
  const failed = parseConfig('maglev: 1\n');
  t.equal(freezeConfigLoad(failed), failed, 'a failed load passes through');
  t.ok(Object.isFrozen((await loadConfigFileIn(text)).config), 'loadConfigFile freezes by default');
  t.notOk(Object.isFrozen((await loadConfigFileIn(text, false)).config), 'and not with freeze: false');
});

async function loadConfigFileIn(text: string, freeze?: boolean): Promise<{ config: unknown }> {
  const dir = await mkdtemp(join(tmpdir(), 'maglev-config-'));
  try {
    const file = join(dir, 'm.yaml');
    await writeFile(file, text);
    const r = await loadConfigFile(file, freeze === undefined ? {} : { freeze });
    return { config: r.ok ? r.config : undefined };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
