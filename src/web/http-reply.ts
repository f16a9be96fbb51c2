// Small response and request helpers of the dashboard's HTTP API: JSON answers that are never
// cached, `{"error": msg}` failures (http-error.ts decides the status), and a bounded JSON body
// reader for the admin POSTs.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, httpErrorOf } from './http-error.js';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** Any thrown value (gRPC error, HttpError, bug) as `{"error": msg}` with the mapped status. */
export function sendError(res: ServerResponse, e: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const { status, error } = httpErrorOf(e);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { error }, headers);
}

/** Reads a JSON body of at most maxBytes; 413 when larger, 400 when not JSON. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 16 * 1024): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new HttpError(413, `request body larger than ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON');
  }
}
