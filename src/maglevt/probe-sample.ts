// What one maglevt probe of a VIP observed: the record the prober (vip-probe.ts) produces and
// the statistics (vip-stats.ts) consume. Plain data, so the statistics stay pure and testable.

export type ProbeSample =
  /** An HTTP(S) response was read completely; `header` is the tallied header's value, if any. */
  | { readonly type: 'http'; readonly latencyMs: number; readonly status: number; readonly header: string | undefined }
  /** The TCP connection was established. */
  | { readonly type: 'tcp'; readonly latencyMs: number }
  /** No answer within -timeout. */
  | { readonly type: 'timeout'; readonly latencyMs: number }
  /** The connection or exchange failed: `code` is the Node error code (ECONNREFUSED, ...). */
  | { readonly type: 'error'; readonly latencyMs: number; readonly code: string; readonly message: string };
