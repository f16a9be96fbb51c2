// What one WatchEvents stream sends, as pure functions: request defaults and
// validation, the initial snapshot (backends sorted, then frontends sorted, from == to), and the
// mapping of live facade events to Event messages with kind and log-level filtering.

import { formatAgentVerdict } from '../core/agent.js';
import type { ControlPlane, ControlPlaneEvent } from './control-plane.js';
import { logEventMsg, msToNs, transitionMsg } from './grpc-convert.js';
import type { Event, WatchRequest__Input } from '../api/maglev-messages.js';
import { DaemonError } from '../shared/errors.js';
import { isLogLevel, levelRank, type LogLevel } from '../shared/log.js';

export interface WatchOptions {
  readonly log: boolean;
  readonly logLevel: LogLevel;
  readonly backend: boolean;
  readonly frontend: boolean;
}

/** Unset booleans mean true; an empty level means info. INVALID_ARGUMENT for an unknown level. */
export function watchOptions(req: WatchRequest__Input): WatchOptions {
  const level = req.log_level ?? '';
  if (level !== '' && !isLogLevel(level)) {
    throw new DaemonError('INVALID_ARGUMENT', `invalid log_level "${level}": expected debug, info, warn or error`);
  }
  return {
    log: req.log ?? true,
    logLevel: level === '' ? 'info' : level,
    backend: req.backend ?? true,
    frontend: req.frontend ?? true,
  };
}

/** The snapshot sent on subscribe: one event per active backend, then one per frontend, both sorted. */
export function snapshotEvents(control: ControlPlane, opts: WatchOptions, nowMs: number): Event[] {
  const out: Event[] = [];
  if (opts.backend) {
    for (const name of [...control.listBackends()].sort()) {
      const b = control.getBackend(name);
      const last = b.transitions[0];
      out.push({
        backend: {
          backend_name: b.name,
          transition: {
            from: b.state,
            to: b.state,
            at_unix_ns: msToNs(last?.at ?? nowMs),
            code: last?.code ?? '',
            detail: last?.detail ?? '',
          },
        },
      });
    }
  }
  if (opts.frontend) {
    for (const name of [...control.listFrontends()].sort()) {
      const f = control.getFrontend(name);
      out.push({
        frontend: {
          frontend_name: f.name,
          transition: { from: f.state, to: f.state, at_unix_ns: msToNs(nowMs), code: '', detail: '' },
        },
      });
    }
  }
  return out;
}

/** A live event as an Event message, or undefined when this subscriber did not ask for it. */
export function liveEventMsg(ev: ControlPlaneEvent, opts: WatchOptions): Event | undefined {
  switch (ev.kind) {
    case 'backend':
      return opts.backend ? { backend: { backend_name: ev.backend, transition: transitionMsg(ev.transition) } } : undefined;
    case 'frontend':
      return opts.frontend
        ? {
            frontend: {
              frontend_name: ev.frontend,
              transition: { from: ev.from, to: ev.to, at_unix_ns: msToNs(ev.at), code: '', detail: '' },
            },
          }
        : undefined;
    case 'panic':
      // A frontend event with an unchanged state: the code says which way panic went.
      return opts.frontend
        ? {
            frontend: {
              frontend_name: ev.frontend,
              transition: { from: ev.state, to: ev.state, at_unix_ns: msToNs(ev.at), code: ev.panic ? 'panic-enter' : 'panic-exit', detail: ev.detail },
            },
          }
        : undefined;
    case 'ramp':
      return undefined; // a slow-start step is no transition; its log line is streamed
    case 'agent':
      // A backend event with an unchanged state: the code names the new agent state (agent-drain …).
      return opts.backend
        ? {
            backend: {
              backend_name: ev.backend,
              transition: { from: ev.state, to: ev.state, at_unix_ns: msToNs(ev.at), code: `agent-${ev.to.state}`, detail: `agent: ${formatAgentVerdict(ev.to)}` },
            },
          }
        : undefined;
    case 'log':
      return opts.log && levelRank(ev.record.level) >= levelRank(opts.logLevel) ? { log: logEventMsg(ev.record) } : undefined;
    default: {
      const exhaustive: never = ev;
      return exhaustive;
    }
  }
}
