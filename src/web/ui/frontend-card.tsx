// One collapsible card per frontend: a header with the health icon (fixed slot), the name
// (fixed width, so headers line up), the VIP and the state badge; when open, one table per pool
// with backend, state, configured and effective weight, lb buckets, the last-transition age and
// a probe heartbeat; on /admin also the kebab menu. Changed cells flash.

import { For, Show, type Accessor, type JSX } from 'solid-js';
import type { ActionRequest } from './action-dialog.js';
import type { FrontendInfo, PoolInfo } from './api-types.js';
import { BackendMenu } from './backend-menu.js';
import { Flash } from './flash.js';
import { ageSince } from './format-age.js';
import { healthIcon, healthIconGlyph, healthIconTitle } from './health-icon.js';
import { bucketsOf, vipOf } from './lb-buckets.js';
import type { ScopeView } from './scope-model.js';

export interface FrontendCardProps {
  readonly scope: ScopeView;
  readonly fe: FrontendInfo;
  readonly open: boolean;
  readonly onToggle: () => void;
  readonly admin: boolean;
  readonly now: Accessor<number>;
  readonly onAction: (r: ActionRequest) => void;
}

/** What each agent state does, for the tag's tooltip. */
const agentTitle: Readonly<Record<string, string>> = {
  drain: 'agent: drain — weight 0 without flush (established flows finish, no new ones)',
  maint: 'agent: maint — weight 0 with flush',
  down: 'agent: down — treated as down',
};

function vipText(fe: FrontendInfo): string {
  const host = fe.address.includes(':') ? `[${fe.address}]` : fe.address;
  return `${host}:${fe.port === 0 ? '*' : fe.port}/${fe.protocol}`;
}

export function FrontendCard(props: FrontendCardProps): JSX.Element {
  const icon = () => healthIcon(props.fe, props.scope.settling[props.fe.name] === true);
  return (
    <article class="card" classList={{ open: props.open }} data-testid={`frontend-card-${props.fe.name}`}>
      <button type="button" class="card-header" aria-expanded={props.open} onClick={() => props.onToggle()} data-testid={`frontend-toggle-${props.fe.name}`}>
        <span class="chevron">{props.open ? '▾' : '▸'}</span>
        <Flash value={icon()} class="health-icon" title={healthIconTitle[icon()]} testid={`frontend-icon-${props.fe.name}`}>
          {healthIconGlyph[icon()]}
        </Flash>
        <span class="fe-name">{props.fe.name}</span>
        <span class="fe-vip">{vipText(props.fe)}</span>
        <Flash value={props.fe.state} class={`badge state-${props.fe.state}`} testid={`frontend-state-${props.fe.name}`}>
          {props.fe.state}
        </Flash>
        <Show when={props.fe.panic}>
          <span class="tag panic" title={`fewer than ${props.fe.panicThreshold}% of the serving pool is up: every backend gets its configured weight, health ignored`} data-testid={`frontend-panic-${props.fe.name}`}>
            panic
          </span>
        </Show>
        <span class="fe-desc">{props.fe.description}</span>
      </button>
      <Show when={props.open}>
        <div class="card-body">
          <For each={props.fe.pools}>{(pool) => <PoolTable {...props} pool={pool} />}</For>
        </div>
      </Show>
    </article>
  );
}

function PoolTable(props: FrontendCardProps & { pool: PoolInfo }): JSX.Element {
  const vip = () => vipOf(props.fe, props.scope.lbState);
  const address = (backend: string) => props.scope.backends.find((b) => b.name === backend)?.address;
  const reusesConnection = (backend: string) => {
    const check = props.scope.backends.find((b) => b.name === backend)?.healthcheck;
    return check !== undefined && check !== '' && props.scope.healthchecks.find((h) => h.name === check)?.reuseConnection === true;
  };
  return (
    <div class="pool">
      <div class="pool-title">
        pool <b>{props.pool.name}</b>
        <Show when={props.pool.active}>
          <span class="tag active">active</span>
        </Show>
      </div>
      <table class="pool-table">
        <colgroup>
          <col class="c-beat" />
          <col class="c-backend" />
          <col class="c-state" />
          <col class="c-num" />
          <col class="c-num" />
          <col class="c-num" />
          <col class="c-age" />
          <Show when={props.admin}>
            <col class="c-actions" />
          </Show>
        </colgroup>
        <thead>
          <tr>
            <th class="beat" />
            <th>backend</th>
            <th>state</th>
            <th class="num">weight</th>
            <th class="num">effective</th>
            <th class="num">lb buckets</th>
            <th class="num">last transition</th>
            <Show when={props.admin}>
              <th class="actions" />
            </Show>
          </tr>
        </thead>
        <tbody>
          <For each={props.pool.backends}>
            {(m) => {
              const id = `${props.fe.name}-${props.pool.name}-${m.name}`;
              const buckets = () => bucketsOf(vip(), address(m.name));
              return (
                <tr data-testid={`backend-row-${id}`}>
                  <td class="beat" title="probe heartbeat">
                    {props.scope.probing[m.name] === true ? '❤️' : '·'}
                  </td>
                  <td class="backend">
                    {m.name}
                    <Show when={reusesConnection(m.name)}>
                      <span class="tag reuse" title="its health check keeps one connection open between probes (reuse-connection)" data-testid={`backend-reuse-${id}`}>
                        keep-alive
                      </span>
                    </Show>
                  </td>
                  <td>
                    <Flash value={m.state} class={`badge state-${m.state}`} testid={`backend-state-${id}`}>
                      {m.state}
                    </Flash>
                    <Show when={m.agentState !== '' && m.agentState !== 'up'}>
                      <span class={`tag agent-${m.agentState}`} title={agentTitle[m.agentState] ?? 'set by the agent check'} data-testid={`backend-agent-${id}`}>
                        {m.agentState}
                      </span>
                    </Show>
                  </td>
                  <td class="num">
                    <Flash value={m.weight}>{m.weight}</Flash>
                  </td>
                  <td class="num">
                    <Flash value={m.effectiveWeight} testid={`backend-effective-${id}`}>
                      {m.effectiveWeight}
                    </Flash>
                  </td>
                  <td class="num">
                    <Flash value={buckets()}>{buckets() ?? '–'}</Flash>
                  </td>
                  <td class="num age">
                    <Flash value={m.lastTransitionUnixNs}>{ageSince(m.lastTransitionUnixNs, props.now()) || '–'}</Flash>
                  </td>
                  <Show when={props.admin}>
                    <td class="actions">
                      <BackendMenu
                        base={{ scope: props.scope.name, frontend: props.fe.name, pool: props.pool.name, backend: m.name, weight: m.weight }}
                        onChoose={props.onAction}
                      />
                    </td>
                  </Show>
                </tr>
              );
            }}
          </For>
        </tbody>
      </table>
    </div>
  );
}
