// The mutating admin routes (§10.1, our choice): POST /admin/api/{name}/backend/{backend}/{action}
// → BackendInfo, POST /admin/api/{name}/weight with {frontend, pool, backend, weight, flush} →
// FrontendInfo, and POST /admin/api/{name}/preview with {kind, backend, frontend?, pool?,
// weight?} → {lines, preview}: what the confirm dialog's action would move, changing nothing.
// Callers have passed basic auth; here every request must also pass the same-origin check, the
// body is validated, and each action is logged as an audit record.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { isBackendAction } from '../api/maglev-client.js';
import type { PreviewRequest__Input, SetWeightRequest } from '../api/maglev-messages.js';
import { previewLines } from '../api/preview-summary.js';
import type { Logger } from '../shared/log.js';
import { HttpError } from './http-error.js';
import { readJsonBody, sendError, sendJson } from './http-reply.js';
import { toProtoJson } from './proto-json.js';
import { checkSameOrigin } from './same-origin.js';
import type { Scope } from './scope.js';

export interface AdminApiContext {
  readonly scope: (name: string) => Scope | undefined;
  readonly logger: Logger;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The weight request from a JSON body; HttpError 400 on anything malformed. */
export function parseWeightBody(body: unknown): SetWeightRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  const text = (k: string): string => {
    const v = b[k];
    if (typeof v !== 'string' || v === '') throw new HttpError(400, `${k} must be a non-empty string`);
    return v;
  };
  const weight = b.weight;
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > 100) throw new HttpError(400, 'weight must be an integer 0..100');
  const flush = b.flush ?? false;
  if (typeof flush !== 'boolean') throw new HttpError(400, 'flush must be true or false');
  return { frontend: text('frontend'), pool: text('pool'), backend: text('backend'), weight, flush };
}

/** The preview request from a JSON body: an action or a weight, as the dialog would confirm it. */
export function parsePreviewBody(body: unknown): PreviewRequest__Input {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.kind === 'weight') {
    const w = parseWeightBody({ ...b, flush: false });
    return { frontend: w.frontend, weight: { pool: w.pool, backend: w.backend, weight: w.weight } };
  }
  if (typeof b.kind !== 'string' || !isBackendAction(b.kind)) throw new HttpError(400, 'kind must be weight, pause, resume, enable or disable');
  if (typeof b.backend !== 'string' || b.backend === '') throw new HttpError(400, 'backend must be a non-empty string');
  const frontend = b.frontend ?? '';
  if (typeof frontend !== 'string') throw new HttpError(400, 'frontend must be a string');
  return { frontend, backend: { name: b.backend, action: b.kind } };
}

/**
 * Serves `api/…` below /admin/ for POST; `segments` are the decoded path parts after `api`.
 * Returns false when the path is not an admin action (the caller answers 404/405).
 */
export async function serveAdminAction(ctx: AdminApiContext, req: IncomingMessage, res: ServerResponse, segments: readonly string[], user: string): Promise<boolean> {
  const [name, what, backend, action, ...rest] = segments;
  const isAction = what === 'backend' && backend !== undefined && action !== undefined && rest.length === 0;
  const isWeight = what === 'weight' && backend === undefined;
  const isPreview = what === 'preview' && backend === undefined;
  if (name === undefined || (!isAction && !isWeight && !isPreview)) return false;
  try {
    if (req.method !== 'POST') throw new HttpError(405, 'method not allowed: use POST');
    const origin = checkSameOrigin({
      host: header(req, 'host'),
      origin: header(req, 'origin'),
      secFetchSite: header(req, 'sec-fetch-site'),
      contentType: header(req, 'content-type'),
    });
    if (!origin.ok) throw new HttpError(403, origin.error);
    const scope = ctx.scope(name);
    if (scope === undefined) throw new HttpError(404, `maglevd "${name}" not found`);
    const body = await readJsonBody(req);
    const log = ctx.logger.child({ maglevd: name, user });
    if (isPreview) {
      const r = await scope.preview(parsePreviewBody(body));
      sendJson(res, 200, { lines: r.ok ? previewLines(r) : [r.parse_error, r.semantic_error].filter((e) => e !== ''), preview: toProtoJson(r) });
    } else if (isAction) {
      if (!isBackendAction(action)) throw new HttpError(404, `unknown action "${action}"`);
      log.info('admin-action', { action, backend });
      sendJson(res, 200, toProtoJson(await scope.backendAction(action, backend)));
    } else {
      const w = parseWeightBody(body);
      log.info('admin-action', { action: 'weight', frontend: w.frontend, pool: w.pool, backend: w.backend, weight: w.weight, flush: w.flush });
      sendJson(res, 200, toProtoJson(await scope.setWeight(w)));
    }
  } catch (e) {
    sendError(res, e, e instanceof HttpError && e.status === 405 ? { Allow: 'POST' } : {});
  }
  return true;
}
