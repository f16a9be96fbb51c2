// Wiring of maglevd-frontend: one Scope (gRPC client + loops) per -server address, the event
// broker they publish into, the cross-host consistency monitor fed by their lb-state reads, and
// the HTTP server that reads all three. frontend-main.ts adds flags and
// signals; tests start a dashboard directly, on port 0, against in-process maglevds.

import { Registry } from 'prom-client';
import { buildInfo } from '../generated/build-info.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { AdminCredentials } from './basic-auth.js';
import { ConsistencyMonitor } from './consistency-monitor.js';
import { EventBroker, type SseEventType } from './event-broker.js';
import { startFrontendServer, type FrontendLimits, type FrontendServer } from './frontend-server.js';
import { MaglevClient } from '../api/maglev-client.js';
import type { MaglevdApi } from './maglevd-api.js';
import { Scope, type ScopeTiming } from './scope.js';
import type { HostTables } from './vip-agreement.js';
import { SpaAssets } from './spa-assets.js';

export interface DashboardOptions {
  readonly servers: readonly string[];
  readonly listen: { readonly host: string; readonly port: number };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly admin: AdminCredentials | undefined;
  /** How long hosts may disagree on a VIP's table before it is logged and flagged (default 30 s). */
  readonly consistencyGraceMs?: number;
  /** Default: dist/web/ui. */
  readonly assets?: SpaAssets;
  readonly timing?: Partial<ScopeTiming>;
  readonly pingMs?: number;
  /** Request limits of the HTTP server (defaults: defaultFrontendLimits). */
  readonly limits?: Partial<FrontendLimits>;
  /** Default: a grpc-js client per address. */
  readonly connect?: (address: string) => MaglevdApi;
}

export interface Dashboard {
  readonly port: number;
  readonly scopes: readonly Scope[];
  readonly broker: EventBroker;
  readonly consistency: ConsistencyMonitor;
  readonly registry: Registry;
  readonly server: FrontendServer;
  /** Ends the SSE streams and the HTTP listener, then stops every scope. */
  stop(): Promise<void>;
}

/** Unary calls to a maglevd give up after this long. */
const unaryDeadlineMs = 10_000;

export const defaultConsistencyGraceMs = 30_000;

/** A scope as the consistency comparison sees it; undefined while it cannot tell (unreachable, no VPP). */
function hostTables(s: Scope): HostTables | undefined {
  const digest = s.state.digest;
  if (!s.state.reachable || digest === null) return undefined;
  return { host: s.name, vips: digest.vips, backends: new Map(s.state.backends.values().map((b) => [b.address, { name: b.name, state: b.state }])) };
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const broker = new EventBroker({ clock: o.clock });
  const registry = new Registry();
  const connect = o.connect ?? ((address: string) => new MaglevClient(address, { deadlineMs: unaryDeadlineMs }));
  const scopes: Scope[] = [];
  const consistency = new ConsistencyMonitor({
    clock: o.clock,
    logger: o.logger,
    graceMs: o.consistencyGraceMs ?? defaultConsistencyGraceMs,
    registry,
    hosts: () => scopes.flatMap((s) => hostTables(s) ?? []),
    publish: (vips) => broker.publish('consistency', { vips }),
  });
  // A new lb-state read (with its digests) or a host coming and going changes the comparison.
  const publish = (type: SseEventType, payload: unknown): void => {
    broker.publish(type, payload);
    if (type === 'lbstate' || type === 'maglevd') consistency.update();
  };
  for (const name of o.servers) {
    scopes.push(new Scope({ name, api: connect(name), clock: o.clock, logger: o.logger, publish, ...(o.timing === undefined ? {} : { timing: o.timing }) }));
  }
  let server: FrontendServer;
  try {
    server = await startFrontendServer({
      listen: o.listen,
      scopes,
      broker,
      consistency,
      registry,
      clock: o.clock,
      logger: o.logger,
      admin: o.admin,
      assets: o.assets ?? new SpaAssets(),
      version: { version: buildInfo.version, commit: buildInfo.commit, date: buildInfo.date },
      ...(o.pingMs === undefined ? {} : { pingMs: o.pingMs }),
      ...(o.limits === undefined ? {} : { limits: o.limits }),
    });
  } catch (e) {
    for (const s of scopes) s.stop();
    consistency.stop();
    throw e;
  }
  for (const s of scopes) s.start();
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    scopes,
    broker,
    consistency,
    registry,
    server,
    stop() {
      stopping ??= server.close().finally(() => {
        for (const s of scopes) s.stop();
        consistency.stop();
      });
      return stopping;
    },
  };
}
