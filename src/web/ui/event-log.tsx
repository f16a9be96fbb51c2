// The /admin event log: every log record of every maglevd in arrival order, following
// the tail while the view is scrolled to the bottom, with pause/resume (lines arriving while
// paused are held and shown on resume).

import { createEffect, For, on, Show, type JSX } from 'solid-js';
import type { Dashboard } from './dashboard-store.js';
import { nsToMs } from './format-age.js';

function clockTime(ns: string): string {
  const ms = nsToMs(ns);
  if (ms === undefined) return '';
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function EventLog(props: { dashboard: Dashboard; showScope: boolean }): JSX.Element {
  const st = props.dashboard.state;
  let box: HTMLDivElement | undefined;
  let stick = true;
  createEffect(
    on(
      () => st.log.length > 0 && st.log[st.log.length - 1]!.id,
      () => {
        if (stick && box !== undefined) box.scrollTop = box.scrollHeight;
      },
    ),
  );
  return (
    <section class="event-log" data-testid="event-log">
      <div class="log-header">
        <h2>Event log</h2>
        <button type="button" onClick={() => props.dashboard.setLogPaused(!st.logPaused)} data-testid="log-pause">
          {st.logPaused ? 'Resume' : 'Pause'}
        </button>
        <Show when={st.logPaused && st.logPending > 0}>
          <span class="pending">{st.logPending} new</span>
        </Show>
      </div>
      <div
        class="log-lines"
        ref={box}
        onScroll={() => {
          if (box !== undefined) stick = box.scrollTop + box.clientHeight >= box.scrollHeight - 24;
        }}
      >
        <For each={st.log}>
          {(line) => (
            <div class={`log-line level-${line.level}`}>
              <span class="time">{clockTime(line.atUnixNs)}</span>
              <Show when={props.showScope}>
                <span class="scope">{line.maglevd}</span>
              </Show>
              <span class="level">{line.level}</span>
              <span class="msg">{line.msg}</span>
              <span class="attrs">{line.attrs}</span>
            </div>
          )}
        </For>
      </div>
    </section>
  );
}
