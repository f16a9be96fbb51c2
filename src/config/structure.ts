// The structural stage: the maglev.yaml schema. It walks the parsed YAML once,
// rejects unknown and duplicate keys and values of the wrong type at any depth, and builds a
// ConfigDraft. Ranges, required keys and cross-references are the semantic stage's job.

import { isMap, isScalar, type Document, type LineCounter, type Node } from 'yaml';
import type { HealthCheckType } from '../shared/config.js';
import type {
  AgentDraft,
  BackendDraft,
  ConfigDraft,
  FrontendDraft,
  HealthCheckDraft,
  HealthCheckerDraft,
  LbDraft,
  MemberDraft,
  ParamsDraft,
  PoolDraft,
} from './draft.js';
import { childPath, type ConfigIssue, type ConfigLocation } from './issue.js';
import { YamlReader } from './yaml-reader.js';

export interface StructureResult {
  /** Undefined when the document has no `maglev` mapping to read. */
  readonly draft: ConfigDraft | undefined;
  readonly errors: readonly ConfigIssue[];
}

const healthCheckTypes: readonly HealthCheckType[] = ['icmp', 'tcp', 'http', 'https'];

/** A location with another path (for sections that are absent: their nearest ancestor). */
function under(at: ConfigLocation, key: string): ConfigLocation {
  return { ...at, path: childPath(at.path, key) };
}

/** The issue for a document that is not a maglev config at all; none of its text is quoted. */
function notMaglevConfig(what: string): string {
  return `${what}: the file does not look like a maglev config (its content is not shown)`;
}

/** Reads a parsed, syntax-error-free document into a draft, collecting every structural error. */
export function readConfigDraft(doc: Document, lines: LineCounter): StructureResult {
  const r = new YamlReader(doc, lines);
  const top: ConfigLocation = { path: '', line: 1, col: 1 };
  const contents = doc.contents;
  let draft: ConfigDraft | undefined;
  if (contents === null) {
    r.fail(top, 'the file is empty: expected a mapping with the top-level key maglev');
  } else if (isScalar(contents)) {
    // Not YAML-ish (e.g. /proc/self/environ): one generic issue, nothing of the file quoted.
    r.fail(top, notMaglevConfig('expected a mapping, got a single scalar'));
  } else if (isMap(contents) && !contents.items.some((p) => isScalar(p.key) && p.key.value === 'maglev')) {
    // Lines such as /etc/shadow's read as keys: none of them is reported, so none is echoed.
    r.fail(top, notMaglevConfig('missing the top-level key maglev'));
  } else {
    r.fields(contents, r.locate(contents, '', top), {
      maglev: (node, _at, keyAt) => {
        draft = readMaglev(r, node, keyAt);
      },
    });
  }
  return { draft, errors: r.errors };
}

function readMaglev(r: YamlReader, node: Node | null, at: ConfigLocation): ConfigDraft {
  const draft: ConfigDraft = {
    healthchecker: { at: under(at, 'healthchecker') },
    lb: { at: under(under(at, 'vpp'), 'lb') },
    healthchecks: [],
    backends: [],
    frontends: [],
  };
  r.fields(node, at, {
    healthchecker: (n, _v, keyAt) => {
      const hc: HealthCheckerDraft = (draft.healthchecker = { at: keyAt });
      r.fields(n, keyAt, {
        'transition-history': (x, a) => (hc.transitionHistory = r.int(x, a)),
        netns: (x, a) => (hc.netns = r.string(x, a)),
      });
    },
    vpp: (n, _v, vppAt) => {
      draft.lb.at = under(vppAt, 'lb');
      r.fields(n, vppAt, {
        lb: (x, _a, lbAt) => (draft.lb = readLb(r, x, lbAt)),
      });
    },
    healthchecks: (n, a) => {
      for (const e of r.entries(n, a) ?? []) draft.healthchecks.push(readHealthCheck(r, e.name, e.node, e.at));
    },
    backends: (n, a) => {
      for (const e of r.entries(n, a) ?? []) draft.backends.push(readBackend(r, e.name, e.node, e.at));
    },
    frontends: (n, a) => {
      for (const e of r.entries(n, a) ?? []) draft.frontends.push(readFrontend(r, e.name, e.node, e.at));
    },
  });
  return draft;
}

function readLb(r: YamlReader, node: Node | null, at: ConfigLocation): LbDraft {
  const lb: LbDraft = { at };
  r.fields(node, at, {
    'sync-interval': (x, a) => (lb.syncInterval = r.duration(x, a)),
    'ipv4-src-address': (x, a) => (lb.ipv4SrcAddress = r.ip(x, a)),
    'ipv6-src-address': (x, a) => (lb.ipv6SrcAddress = r.ip(x, a)),
    'sticky-buckets-per-core': (x, a) => (lb.stickyBucketsPerCore = r.int(x, a)),
    'flow-timeout': (x, a) => (lb.flowTimeout = r.duration(x, a)),
    'startup-min-delay': (x, a) => (lb.startupMinDelay = r.duration(x, a)),
    'startup-max-delay': (x, a) => (lb.startupMaxDelay = r.duration(x, a)),
  });
  return lb;
}

function readHealthCheck(r: YamlReader, name: string, node: Node | null, at: ConfigLocation): HealthCheckDraft {
  const hc: HealthCheckDraft = { name, at, params: {} };
  r.fields(node, at, {
    type: (x, a) => (hc.type = r.oneOf(x, a, healthCheckTypes)),
    port: (x, a) => (hc.port = r.int(x, a)),
    interval: (x, a) => (hc.interval = r.duration(x, a)),
    'fast-interval': (x, a) => (hc.fastInterval = r.duration(x, a)),
    'down-interval': (x, a) => (hc.downInterval = r.duration(x, a)),
    timeout: (x, a) => (hc.timeout = r.duration(x, a)),
    rise: (x, a) => (hc.rise = r.int(x, a)),
    fall: (x, a) => (hc.fall = r.int(x, a)),
    'probe-ipv4-src': (x, a) => (hc.probeIpv4Src = r.ip(x, a)),
    'probe-ipv6-src': (x, a) => (hc.probeIpv6Src = r.ip(x, a)),
    'slow-start': (x, a) => (hc.slowStart = r.duration(x, a)),
    'slow-start-steps': (x, a) => (hc.slowStartSteps = r.int(x, a)),
    'reuse-connection': (x, a) => (hc.reuseConnection = r.bool(x, a)),
    agent: (x, _a, keyAt) => (hc.agent = readAgent(r, x, keyAt)),
    params: (x, _a, keyAt) => (hc.params = readParams(r, x, keyAt)),
  });
  return hc;
}

function readAgent(r: YamlReader, node: Node | null, at: ConfigLocation): AgentDraft {
  const a: AgentDraft = { at };
  r.fields(node, at, {
    port: (x, v) => (a.port = r.int(x, v)),
    interval: (x, v) => (a.interval = r.duration(x, v)),
    timeout: (x, v) => (a.timeout = r.duration(x, v)),
    send: (x, v) => (a.send = r.string(x, v)),
  });
  return a;
}

/** Every key any type knows; which of them apply to a type is a semantic question (warnings). */
function readParams(r: YamlReader, node: Node | null, at: ConfigLocation): ParamsDraft {
  const p: ParamsDraft = {};
  r.fields(node, at, {
    path: (x, a) => (p.path = r.string(x, a)),
    host: (x, a) => (p.host = r.string(x, a)),
    'response-code': (x, a) => (p.responseCode = r.stringOrInt(x, a)),
    'response-regexp': (x, a) => (p.responseRegexp = r.string(x, a)),
    'server-name': (x, a) => (p.serverName = r.string(x, a)),
    'insecure-skip-verify': (x, a) => (p.insecureSkipVerify = r.bool(x, a)),
    ssl: (x, a) => (p.ssl = r.bool(x, a)),
  });
  return p;
}

function readBackend(r: YamlReader, name: string, node: Node | null, at: ConfigLocation): BackendDraft {
  const b: BackendDraft = { name, at };
  r.fields(node, at, {
    address: (x, a) => (b.address = r.ip(x, a)),
    healthcheck: (x, a) => (b.healthcheck = r.string(x, a)),
    enabled: (x, a) => (b.enabled = r.bool(x, a)),
    'slow-start': (x, a) => (b.slowStart = r.duration(x, a)),
    'slow-start-steps': (x, a) => (b.slowStartSteps = r.int(x, a)),
  });
  return b;
}

function readFrontend(r: YamlReader, name: string, node: Node | null, at: ConfigLocation): FrontendDraft {
  const f: FrontendDraft = { name, at };
  r.fields(node, at, {
    address: (x, a) => (f.address = r.ip(x, a)),
    protocol: (x, a) => (f.protocol = r.oneOf(x, a, ['tcp', 'udp'] as const)),
    port: (x, a) => (f.port = r.int(x, a)),
    description: (x, a) => (f.description = r.string(x, a)),
    'src-ip-sticky': (x, a) => (f.srcIpSticky = r.bool(x, a)),
    'flush-on-down': (x, a) => (f.flushOnDown = r.bool(x, a)),
    'panic-threshold': (x, a) => (f.panicThreshold = r.int(x, a)),
    pools: (x, a) => {
      const items = r.list(x, a);
      if (items !== undefined) f.pools = { ...a, value: items.map((i) => readPool(r, i.node, i.at)) };
    },
  });
  return f;
}

function readPool(r: YamlReader, node: Node | null, at: ConfigLocation): PoolDraft {
  const pool: PoolDraft = { at };
  r.fields(node, at, {
    name: (x, a) => (pool.name = r.string(x, a)),
    backends: (x, a) => {
      const entries = r.entries(x, a);
      if (entries === undefined) return;
      // A null member (`nginx0: ~`) or `{}` means weight 100.
      const members = entries.map((e): MemberDraft => {
        const m: MemberDraft = { backend: e.name, at: e.at };
        r.fields(e.node, e.at, { weight: (w, wa) => (m.weight = r.int(w, wa)) });
        return m;
      });
      pool.backends = { ...a, value: members };
    },
  });
  return pool;
}
