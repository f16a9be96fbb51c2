// A cell that flashes (scale pop plus a yellow halo, styles.css) when its value changes.
// The value goes through a memo, so re-renders with an equal value never re-trigger it, and the
// first render does not flash.

import { createEffect, createMemo, on, type JSX } from 'solid-js';

export function Flash(props: { value: unknown; class?: string; testid?: string; title?: string; children: JSX.Element }): JSX.Element {
  let el: HTMLSpanElement | undefined;
  const value = createMemo(() => props.value);
  createEffect(
    on(
      value,
      () => {
        if (el === undefined) return;
        el.classList.remove('flash');
        void el.offsetWidth; // restart the animation
        el.classList.add('flash');
      },
      { defer: true },
    ),
  );
  return (
    <span ref={el} class={`flashable ${props.class ?? ''}`} data-testid={props.testid} title={props.title} onAnimationEnd={() => el?.classList.remove('flash')}>
      {props.children}
    </span>
  );
}
