// The VPP panel of a scope: connected/disconnected badge, version, pid, uptime and
// connection age, lb conf, and the "API ↑↓" arrows that flash blue for 250 ms on every
// vpp-api-send / vpp-api-recv the maglevd logs.

import { createEffect, on, Show, type Accessor, type JSX } from 'solid-js';
import { ageSince } from './format-age.js';
import type { ScopeView } from './scope-model.js';

function ApiArrow(props: { glyph: string; seq: number; title: string; testid: string }): JSX.Element {
  let el: HTMLSpanElement | undefined;
  let timer: number | undefined;
  createEffect(
    on(
      () => props.seq,
      () => {
        el?.classList.add('api-on');
        window.clearTimeout(timer);
        timer = window.setTimeout(() => el?.classList.remove('api-on'), 250);
      },
      { defer: true },
    ),
  );
  return (
    <span ref={el} class="api-arrow" title={props.title} data-testid={props.testid}>
      {props.glyph}
    </span>
  );
}

export function VppPanel(props: { scope: ScopeView; now: Accessor<number> }): JSX.Element {
  return (
    <section class="vpp-panel" data-testid="vpp-panel">
      <span class="vpp-title">VPP</span>
      <Show
        when={props.scope.vpp}
        fallback={
          <span class="badge state-down" data-testid="vpp-badge">
            disconnected
          </span>
        }
      >
        {(vpp) => (
          <>
            <span class="badge state-up" data-testid="vpp-badge">
              connected
            </span>
            <span class="kv">
              version <b>{vpp().version}</b>
            </span>
            <span class="kv">
              pid <b>{vpp().pid}</b>
            </span>
            <Show when={ageSince(vpp().boottimeNs, props.now()) !== ''}>
              <span class="kv">
                up <b>{ageSince(vpp().boottimeNs, props.now())}</b>
              </span>
            </Show>
            <span class="kv">
              connected <b>{ageSince(vpp().connecttimeNs, props.now()) || '–'}</b>
            </span>
          </>
        )}
      </Show>
      <Show when={props.scope.lbState?.conf}>
        {(conf) => (
          <span class="kv">
            buckets/core <b>{conf().stickyBucketsPerCore}</b>, flow timeout <b>{conf().flowTimeout}s</b>
          </span>
        )}
      </Show>
      <span class="api">
        API <ApiArrow glyph="↑" seq={props.scope.apiSeq.send} title="API message sent to VPP" testid="api-send" />
        <ApiArrow glyph="↓" seq={props.scope.apiSeq.recv} title="API message received from VPP" testid="api-recv" />
      </span>
    </section>
  );
}
