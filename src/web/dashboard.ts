// Wiring of maglevd-frontend: one Scope (gRPC client + loops) per -server address, the event
// broker they publish into, and the HTTP server that reads both. frontend-main.ts adds flags and
// signals; tests start a dashboard directly, on port 0, against in-process maglevds.

import { buildInfo } from '../generated/build-info.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/log.js';
import type { AdminCredentials } from './basic-auth.js';
import { EventBroker } from './event-broker.js';
import { startFrontendServer, type FrontendLimits, type FrontendServer } from './frontend-server.js';
import { MaglevClient } from '../api/maglev-client.js';
import type { MaglevdApi } from './maglevd-api.js';
import { Scope, type ScopeTiming } from './scope.js';
import { SpaAssets } from './spa-assets.js';

export interface DashboardOptions {
  readonly servers: readonly string[];
  readonly listen: { readonly host: string; readonly port: number };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly admin: AdminCredentials | undefined;
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
  readonly server: FrontendServer;
  /** Ends the SSE streams and the HTTP listener, then stops every scope. */
  stop(): Promise<void>;
}

/** Unary calls to a maglevd give up after this long. */
const unaryDeadlineMs = 10_000;

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const broker = new EventBroker({ clock: o.clock });
  const connect = o.connect ?? ((address: string) => new MaglevClient(address, { deadlineMs: unaryDeadlineMs }));
  const scopes = o.servers.map(
    (name) =>
      new Scope({
        name,
        api: connect(name),
        clock: o.clock,
        logger: o.logger,
        publish: (type, payload) => broker.publish(type, payload),
        ...(o.timing === undefined ? {} : { timing: o.timing }),
      }),
  );
  let server: FrontendServer;
  try {
    server = await startFrontendServer({
      listen: o.listen,
      scopes,
      broker,
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
    throw e;
  }
  for (const s of scopes) s.start();
  let stopping: Promise<void> | undefined;
  return {
    port: server.port,
    scopes,
    broker,
    server,
    stop() {
      stopping ??= server.close().finally(() => {
        for (const s of scopes) s.stop();
      });
      return stopping;
    },
  };
}
