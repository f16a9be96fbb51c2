// The page's state: every scope (ScopeView) from /view/api/state, kept current by the SSE events,
// plus the UI's own state (selected scope, open cards, connection, admin event log). Events that
// arrive before the state has loaded (or while a `resync` refetch runs) are queued and applied
// after it, so nothing is lost between the stream opening and the snapshot.

import { createSignal, type Accessor } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import { fetchConsistency, fetchState, fetchVersion } from './api-client.js';
import type {
  BackendEventData,
  ConsistencyResponse,
  ConsistencyVip,
  FrontendEventData,
  LbStateEventData,
  LogEventData,
  MaglevdEventData,
  ProbeEventData,
  ScopeSnapshot,
  UpdateEventData,
  VersionResponse,
  VppApiEventData,
} from './api-types.js';
import { cardKey, saveOpenCards, saveScope, savedOpenCards, savedScope } from './cookies.js';
import { openEventStream } from './event-stream.js';
import {
  applyBackendEvent,
  applyFrontendEvent,
  applyLbState,
  applyProbe,
  applySnapshot,
  applyUpdate,
  applyVppApi,
  newScopeView,
  type ScopeView,
} from './scope-model.js';

export interface LogLine {
  id: number;
  atUnixNs: string;
  maglevd: string;
  level: string;
  msg: string;
  attrs: string;
}

export interface DashboardState {
  scopes: ScopeView[];
  selected: string;
  open: Record<string, boolean>;
  version: VersionResponse | null;
  /** Each VIP compared across the maglevds. */
  consistency: ConsistencyVip[];
  live: boolean;
  loaded: boolean;
  error: string;
  log: LogLine[];
  logPaused: boolean;
  /** Lines held back while paused. */
  logPending: number;
}

const eventTypes = ['backend', 'frontend', 'probe', 'vpp-api', 'vpp', 'lbstate', 'maglevd', 'update', 'resync', 'log', 'consistency'] as const;
const maxLogLines = 2000;

export interface Dashboard {
  readonly state: DashboardState;
  /** Wall clock, ticking every second (ages). */
  readonly now: Accessor<number>;
  selectScope(name: string): void;
  toggleCard(scope: string, frontend: string): void;
  setLogPaused(paused: boolean): void;
  /** Opens the stream and loads the state; returns the cleanup. */
  start(): () => void;
}

function formatAttrs(attrs: LogEventData['attrs']): string {
  return attrs.map((a) => `${a.key}=${/\s/.test(a.value) || a.value === '' ? JSON.stringify(a.value) : a.value}`).join(' ');
}

export function createDashboard(area: 'view' | 'admin'): Dashboard {
  const open: Record<string, boolean> = {};
  for (const k of savedOpenCards()) open[k] = true;
  const [state, setState] = createStore<DashboardState>({
    scopes: [],
    selected: savedScope() ?? '',
    open,
    version: null,
    consistency: [],
    live: false,
    loaded: false,
    error: '',
    log: [],
    logPaused: false,
    logPending: 0,
  });
  const [now, setNow] = createSignal(Date.now());
  let queue: Array<{ type: string; data: unknown }> = [];
  let pendingLog: LogLine[] = [];
  let logId = 0;
  let loading = false;

  const inScope = <T extends { maglevd: string }>(d: T, fn: (scope: ScopeView, d: T) => void): void =>
    setState(
      produce((s) => {
        const scope = s.scopes.find((x) => x.name === d.maglevd);
        if (scope !== undefined) fn(scope, d);
      }),
    );

  const appendLog = (lines: LogLine[]): void =>
    setState(
      produce((s) => {
        s.log.push(...lines);
        if (s.log.length > maxLogLines) s.log.splice(0, s.log.length - maxLogLines);
      }),
    );

  function dispatch(type: string, data: unknown): void {
    switch (type) {
      case 'backend':
        return inScope(data as BackendEventData, applyBackendEvent);
      case 'frontend':
        return inScope(data as FrontendEventData, applyFrontendEvent);
      case 'update':
        return inScope(data as UpdateEventData, applyUpdate);
      case 'lbstate':
        return inScope(data as LbStateEventData, applyLbState);
      case 'probe':
        return inScope(data as ProbeEventData, applyProbe);
      case 'vpp-api':
        return inScope(data as VppApiEventData, applyVppApi);
      case 'maglevd':
        return inScope(data as MaglevdEventData, (scope, d) => {
          scope.reachable = d.reachable;
          scope.watchRefused = d.watchRefused ?? null;
        });
      case 'resync':
        void load();
        return;
      case 'consistency':
        setState('consistency', (data as ConsistencyResponse).vips);
        return;
      case 'log': {
        const d = data as LogEventData;
        const line: LogLine = { id: ++logId, atUnixNs: d.atUnixNs, maglevd: d.maglevd, level: d.level, msg: d.msg, attrs: formatAttrs(d.attrs) };
        if (state.logPaused) {
          pendingLog.push(line);
          if (pendingLog.length > maxLogLines) pendingLog.splice(0, pendingLog.length - maxLogLines);
          setState('logPending', pendingLog.length);
        } else {
          appendLog([line]);
        }
        return;
      }
      default:
        return; // `vpp` is informational: its `update` carries the data
    }
  }

  async function load(): Promise<void> {
    if (loading) return;
    loading = true;
    setState('loaded', false);
    try {
      const [st, cons] = await Promise.all([fetchState(), fetchConsistency()]);
      setState('consistency', cons.vips);
      setState(
        produce((s) => {
          const next = st.maglevds.map((snap: ScopeSnapshot) => {
            const have = s.scopes.find((x) => x.name === snap.name);
            if (have === undefined) return newScopeView(snap);
            applySnapshot(have, snap);
            return have;
          });
          s.scopes.splice(0, s.scopes.length, ...next);
          if (!next.some((x) => x.name === s.selected)) s.selected = next[0]?.name ?? '';
          s.error = '';
          s.loaded = true;
        }),
      );
      const queued = queue;
      queue = [];
      for (const q of queued) dispatch(q.type, q.data);
    } catch (e) {
      setState('error', `cannot load the state: ${e instanceof Error ? e.message : String(e)}`);
      window.setTimeout(() => void load(), 2000);
    } finally {
      loading = false;
    }
  }

  return {
    state,
    now,
    selectScope(name) {
      setState('selected', name);
      saveScope(name);
    },
    toggleCard(scope, frontend) {
      const key = cardKey(scope, frontend);
      setState('open', key, !state.open[key]);
      saveOpenCards(new Set(Object.keys(state.open).filter((k) => state.open[k] === true)));
    },
    setLogPaused(paused) {
      setState('logPaused', paused);
      if (!paused && pendingLog.length > 0) {
        appendLog(pendingLog);
        pendingLog = [];
        setState('logPending', 0);
      }
    },
    start() {
      const stream = openEventStream({
        url: `/${area}/api/events`,
        types: eventTypes,
        onEvent: (data, type) => {
          if (!state.loaded && type !== 'resync') queue.push({ type, data });
          else dispatch(type, data);
        },
        onStatus: (live) => setState('live', live),
      });
      const tick = window.setInterval(() => setNow(Date.now()), 1000);
      void load();
      void fetchVersion().then(
        (v) => setState('version', v),
        () => {},
      );
      return () => {
        stream.close();
        window.clearInterval(tick);
      };
    },
  };
}
