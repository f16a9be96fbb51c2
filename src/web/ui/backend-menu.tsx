// The kebab (⋮) menu on each backend row of /admin: pause, resume, enable, disable and
// set weight, each opening the confirmation dialog. A native <details> popup, closed again when
// an item is chosen or the pointer leaves it.

import { For, type JSX } from 'solid-js';
import type { ActionRequest } from './action-dialog.js';

const items: ReadonlyArray<{ kind: ActionRequest['kind']; label: string }> = [
  { kind: 'pause', label: 'Pause' },
  { kind: 'resume', label: 'Resume' },
  { kind: 'enable', label: 'Enable' },
  { kind: 'disable', label: 'Disable' },
  { kind: 'weight', label: 'Set weight…' },
];

export function BackendMenu(props: { base: Omit<ActionRequest, 'kind'>; onChoose: (r: ActionRequest) => void }): JSX.Element {
  let details: HTMLDetailsElement | undefined;
  return (
    <details ref={details} class="kebab" onMouseLeave={() => details?.removeAttribute('open')}>
      <summary title="actions" data-testid={`menu-${props.base.frontend}-${props.base.pool}-${props.base.backend}`}>
        ⋮
      </summary>
      <div class="menu" role="menu">
        <For each={items}>
          {(item) => (
            <button
              type="button"
              role="menuitem"
              data-testid={`menu-item-${item.kind}`}
              onClick={() => {
                details?.removeAttribute('open');
                props.onChoose({ ...props.base, kind: item.kind });
              }}
            >
              {item.label}
            </button>
          )}
        </For>
      </div>
    </details>
  );
}
