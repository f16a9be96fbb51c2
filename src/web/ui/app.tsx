// The dashboard page (§10.2), the same app on /view/ (read-only) and /admin/ (actions and the
// event log): header with logo, version and stream status; with several maglevds, whether their
// Maglev tables agree; one tab per maglevd; the selected scope's VPP panel and frontend cards.

import { createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import { ActionDialog, type ActionRequest } from './action-dialog.js';
import { ConsistencyPanel } from './consistency-panel.js';
import { cardKey } from './cookies.js';
import { createDashboard } from './dashboard-store.js';
import { EventLog } from './event-log.js';
import { FrontendCard } from './frontend-card.js';
import { Logo } from './logo.js';
import { VppPanel } from './vpp-panel.js';

export function App(props: { area: 'view' | 'admin' }): JSX.Element {
  const d = createDashboard(props.area);
  const admin = props.area === 'admin';
  const st = d.state;
  const [action, setAction] = createSignal<ActionRequest | undefined>();
  onMount(() => onCleanup(d.start()));
  const scope = () => st.scopes.find((s) => s.name === st.selected);

  return (
    <div class="app" classList={{ admin }}>
      <header class="top">
        <Logo />
        <h1>maglev</h1>
        <span class="area">{admin ? 'admin' : 'view'}</span>
        <span class="live" classList={{ on: st.live }} title={st.live ? 'live updates connected' : 'live updates disconnected'} data-testid="live">
          ● {st.live ? 'live' : 'offline'}
        </span>
        <span class="version">
          <Show when={st.version}>{(v) => `${v().version} (${v().commit})`}</Show>
        </span>
      </header>
      <Show when={st.scopes.length > 1}>
        <ConsistencyPanel vips={st.consistency} />
      </Show>
      <nav class="tabs" role="tablist">
        <For each={st.scopes}>
          {(s) => (
            <button type="button" role="tab" class="tab" classList={{ selected: s.name === st.selected }} aria-selected={s.name === st.selected} onClick={() => d.selectScope(s.name)} data-testid={`scope-tab-${s.name}`}>
              <span
                class="dot"
                classList={{ up: s.reachable && !s.watchRefused, refused: s.reachable && !!s.watchRefused, down: !s.reachable }}
                title={!s.reachable ? 'unreachable' : s.watchRefused ? `reachable, but live events refused: ${s.watchRefused}` : 'reachable'}
              />
              {s.name}
            </button>
          )}
        </For>
      </nav>
      <Show when={st.error !== ''}>
        <div class="banner error">{st.error}</div>
      </Show>
      <main>
        <Show when={scope()} fallback={<p class="empty">{st.loaded ? 'No maglevd configured.' : 'Loading…'}</p>}>
          {(s) => (
            <>
              <Show when={s().reachable && s().watchRefused}>
                <div class="banner warning" data-testid="watch-refused">
                  {s().name} refused the live event stream ({s().watchRefused}); the view is refreshed every 30 s only.
                </div>
              </Show>
              <Show when={!s().reachable}>
                <div class="banner warning" data-testid="unreachable">
                  {s().name} is unreachable; showing the last known state.
                </div>
              </Show>
              <VppPanel scope={s()} now={d.now} />
              <section class="frontends">
                <For each={s().frontends} fallback={<p class="empty">No frontends.</p>}>
                  {(fe) => (
                    <FrontendCard
                      scope={s()}
                      fe={fe}
                      open={st.open[cardKey(s().name, fe.name)] === true}
                      onToggle={() => d.toggleCard(s().name, fe.name)}
                      admin={admin}
                      now={d.now}
                      onAction={setAction}
                    />
                  )}
                </For>
              </section>
            </>
          )}
        </Show>
        <Show when={admin}>
          <EventLog dashboard={d} showScope={st.scopes.length > 1} />
        </Show>
      </main>
      <Show when={admin}>
        <ActionDialog request={action()} onClose={() => setAction(undefined)} />
      </Show>
    </div>
  );
}
