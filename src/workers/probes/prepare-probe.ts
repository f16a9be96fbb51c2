// Compiles a registered ProbeSpec into the prober of its kind (the closed union of probe kinds;
// no dynamic lookup).

import type { ProbeSpec } from '../../shared/probe-messages.js';
import { prepareKeepAliveHttpProbe } from './http-keep-alive.js';
import { prepareAgentProbe } from './agent.js';
import { prepareHttpProbe } from './http.js';
import { prepareIcmpProbe } from './icmp.js';
import type { PreparedProbe } from './probe-attempt.js';
import type { ProbeEnv } from './probe-env.js';
import { prepareTcpProbe } from './tcp.js';

export function prepareProbe(spec: ProbeSpec, env: ProbeEnv): PreparedProbe {
  switch (spec.kind) {
    case 'icmp':
      return prepareIcmpProbe(spec, env);
    case 'tcp':
      return prepareTcpProbe(spec, env);
    case 'http':
      return spec.reuseConnection === true ? prepareKeepAliveHttpProbe(spec, env) : prepareHttpProbe(spec, env);
    case 'agent':
      return prepareAgentProbe(spec, env);
    default: {
      const exhaustive: never = spec;
      throw new Error(`unknown probe kind ${String(exhaustive)}`);
    }
  }
}
