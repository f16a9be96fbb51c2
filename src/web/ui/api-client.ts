// The page's calls to the dashboard's JSON API: state, cross-host consistency and version
// (read-only, /view/api/), and the admin actions and their previews (POST /admin/api/..., JSON
// bodies so the server's same-origin check passes).
// Failures carry the server's `{"error": msg}` text.

import type { BackendInfo, ConsistencyResponse, FrontendInfo, PreviewReply, StateResponse, VersionResponse } from './api-types.js';

export type BackendAction = 'pause' | 'resume' | 'enable' | 'disable';

async function json<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => ({}))) as { error?: string };
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body as T;
}

export async function fetchState(): Promise<StateResponse> {
  return json(await fetch('/view/api/state', { cache: 'no-store' }));
}

export async function fetchConsistency(): Promise<ConsistencyResponse> {
  return json(await fetch('/view/api/consistency', { cache: 'no-store' }));
}

export async function fetchVersion(): Promise<VersionResponse> {
  return json(await fetch('/view/api/version'));
}

function post<T>(path: string, body: unknown): Promise<T> {
  return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), credentials: 'same-origin' }).then((r) => json<T>(r));
}

export function backendAction(scope: string, backend: string, action: BackendAction): Promise<BackendInfo> {
  return post(`/admin/api/${encodeURIComponent(scope)}/backend/${encodeURIComponent(backend)}/${action}`, {});
}

export function setWeight(scope: string, req: { frontend: string; pool: string; backend: string; weight: number; flush: boolean }): Promise<FrontendInfo> {
  return post(`/admin/api/${encodeURIComponent(scope)}/weight`, req);
}

/** What an action would move, as the server's summary lines; nothing is applied. */
export function previewAction(
  scope: string,
  req: { kind: BackendAction; backend: string } | { kind: 'weight'; frontend: string; pool: string; backend: string; weight: number },
): Promise<PreviewReply> {
  return post(`/admin/api/${encodeURIComponent(scope)}/preview`, req);
}
