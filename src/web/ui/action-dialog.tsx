// The admin confirmation dialogs (§10.2): pause, resume, enable or disable a backend, or set its
// weight in one pool (with a flush checkbox). A native <dialog>; the server's error text is
// shown in place, and the dialog closes once the action succeeded.

import { createEffect, createSignal, Show, type JSX } from 'solid-js';
import { backendAction, setWeight, type BackendAction } from './api-client.js';

export interface ActionRequest {
  readonly scope: string;
  readonly frontend: string;
  readonly pool: string;
  readonly backend: string;
  readonly kind: BackendAction | 'weight';
  /** The current configured weight, as the input's start value. */
  readonly weight: number;
}

const verbs: Readonly<Record<ActionRequest['kind'], string>> = {
  pause: 'Pause',
  resume: 'Resume',
  enable: 'Enable',
  disable: 'Disable',
  weight: 'Set weight',
};

export function ActionDialog(props: { request: ActionRequest | undefined; onClose: () => void }): JSX.Element {
  let dialog: HTMLDialogElement | undefined;
  const [weight, setWeightValue] = createSignal(0);
  const [flush, setFlush] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');

  createEffect(() => {
    const r = props.request;
    if (r === undefined) {
      if (dialog?.open === true) dialog.close();
      return;
    }
    setWeightValue(r.weight);
    setFlush(false);
    setError('');
    if (dialog?.open !== true) dialog?.showModal();
  });

  async function confirm(r: ActionRequest): Promise<void> {
    setBusy(true);
    setError('');
    try {
      if (r.kind === 'weight') await setWeight(r.scope, { frontend: r.frontend, pool: r.pool, backend: r.backend, weight: weight(), flush: flush() });
      else await backendAction(r.scope, r.backend, r.kind);
      props.onClose();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <dialog ref={dialog} class="action-dialog" data-testid="action-dialog" onClose={() => props.request !== undefined && props.onClose()}>
      <Show when={props.request}>
        {(r) => (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              void confirm(r());
            }}
          >
            <h3>
              {verbs[r().kind]} {r().backend}
            </h3>
            <Show
              when={r().kind === 'weight'}
              fallback={
                <p>
                  {verbs[r().kind]} backend <b>{r().backend}</b> on <b>{r().scope}</b>? This affects every frontend that uses it.
                </p>
              }
            >
              <p>
                Weight of <b>{r().backend}</b> in pool <b>{r().pool}</b> of frontend <b>{r().frontend}</b>:
              </p>
              <label class="field">
                Weight (0–100)
                <input type="number" min="0" max="100" step="1" required value={weight()} onInput={(e) => setWeightValue(e.currentTarget.valueAsNumber)} data-testid="weight-input" />
              </label>
              <label class="field checkbox">
                <input type="checkbox" checked={flush()} onChange={(e) => setFlush(e.currentTarget.checked)} />
                Flush existing flows of this backend
              </label>
            </Show>
            <Show when={error() !== ''}>
              <p class="error" data-testid="action-error">
                {error()}
              </p>
            </Show>
            <div class="buttons">
              <button type="button" onClick={() => props.onClose()} disabled={busy()}>
                Cancel
              </button>
              <button type="submit" class="primary" disabled={busy()} data-testid="action-confirm">
                {verbs[r().kind]}
              </button>
            </div>
          </form>
        )}
      </Show>
    </dialog>
  );
}
