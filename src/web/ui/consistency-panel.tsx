// The cross-host panel (shown with two or more maglevds): per VIP, whether the LB hosts' Maglev
// tables agree ("3/3 hosts agree") or who differs from whom, on how many buckets and why. A
// disagreement is amber while it is young and red once it outlasted the frontend's grace.

import { For, Show, type JSX } from 'solid-js';
import type { ConsistencyVip } from './api-types.js';

function stateOf(v: ConsistencyVip): 'agree' | 'settling' | 'divergent' {
  if (v.differences.length === 0) return 'agree';
  return v.divergent ? 'divergent' : 'settling';
}

const badge: Readonly<Record<ReturnType<typeof stateOf>, string>> = { agree: 'agree', settling: 'differs', divergent: 'diverged' };

export function ConsistencyPanel(props: { vips: readonly ConsistencyVip[] }): JSX.Element {
  return (
    <section class="consistency" data-testid="consistency">
      <div class="consistency-title">Consistency across LB hosts</div>
      <Show when={props.vips.length > 0} fallback={<p class="empty">No VPP table read yet.</p>}>
        <table class="consistency-table">
          <tbody>
            <For each={props.vips}>
              {(v) => (
                <tr data-testid={`consistency-${v.vip}`}>
                  <td class="vip">{v.vip}</td>
                  <td class="frontends">{v.frontends.join(', ')}</td>
                  <td>
                    <span class={`badge consistency-${stateOf(v)}`} data-testid={`consistency-state-${v.vip}`}>
                      {badge[stateOf(v)]}
                    </span>
                  </td>
                  <td class="text" data-testid={`consistency-text-${v.vip}`}>
                    {v.text}
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </section>
  );
}
