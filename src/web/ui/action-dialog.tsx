// The admin confirmation dialogs (§10.2): pause, resume, enable or disable a backend, or set its
// weight in one pool (with a flush checkbox). Before the operator confirms, the dialog shows what
// the action would move ("moves 23.4 % of web4's new flows: …", from the maglevd's preview of
// the exact tables), again after each weight edit. A native <dialog>; the server's error text is
// shown in place, and the dialog closes once the action succeeded.

import { createEffect, createSignal, For, onCleanup, Show, type JSX } from 'solid-js';
import { backendAction, previewAction, setWeight, type BackendAction } from './api-client.js';

export interface ActionRequest {
  readonly scope: string;
  readonly frontend: string;
  readonly pool: string;
  readonly backend: string;
  readonly kind: BackendAction | 'weight';
  /** The current configured weight, as the input's start value. */
  readonly weight: number;
}

/** A weight being typed is previewed once it rests this long. */
const previewDelayMs = 150;

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
  const [preview, setPreview] = createSignal<{ lines: readonly string[]; state: 'computing' | 'ready' | 'failed' }>({ lines: [], state: 'computing' });
  let previewSeq = 0;
  let previewTimer: number | undefined;
  onCleanup(() => window.clearTimeout(previewTimer));

  /** Asks for the preview of what confirming now would do; only the latest answer is shown. */
  function refreshPreview(r: ActionRequest, w: number): void {
    const seq = ++previewSeq;
    window.clearTimeout(previewTimer);
    if (r.kind === 'weight' && (!Number.isInteger(w) || w < 0 || w > 100)) {
      setPreview({ lines: ['enter a weight from 0 to 100 to see what it would move'], state: 'failed' });
      return;
    }
    setPreview({ lines: [], state: 'computing' });
    previewTimer = window.setTimeout(() => {
      const req = r.kind === 'weight' ? { kind: 'weight' as const, frontend: r.frontend, pool: r.pool, backend: r.backend, weight: w } : { kind: r.kind, backend: r.backend };
      previewAction(r.scope, req).then(
        (p) => seq === previewSeq && setPreview({ lines: p.lines, state: 'ready' }),
        (e: unknown) => seq === previewSeq && setPreview({ lines: [`preview unavailable: ${e instanceof Error ? e.message : String(e)}`], state: 'failed' }),
      );
    }, previewDelayMs);
  }

  createEffect(() => {
    const r = props.request;
    if (r === undefined) {
      if (dialog?.open === true) dialog.close();
      return;
    }
    setWeightValue(r.weight);
    setFlush(false);
    setError('');
    refreshPreview(r, r.weight);
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
                <input
                  type="number"
                  min="0"
                  max="100"
                  step="1"
                  required
                  value={weight()}
                  onInput={(e) => {
                    setWeightValue(e.currentTarget.valueAsNumber);
                    refreshPreview(r(), e.currentTarget.valueAsNumber);
                  }}
                  data-testid="weight-input"
                />
              </label>
              <label class="field checkbox">
                <input type="checkbox" checked={flush()} onChange={(e) => setFlush(e.currentTarget.checked)} />
                Flush existing flows of this backend
              </label>
            </Show>
            <div class="preview" classList={{ computing: preview().state === 'computing', error: preview().state === 'failed' }} data-testid="action-preview" data-state={preview().state}>
              <Show when={preview().state !== 'computing'} fallback={<p>computing what this would move…</p>}>
                <For each={preview().lines}>{(line) => <p>{line}</p>}</For>
              </Show>
            </div>
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
