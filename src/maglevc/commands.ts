// Runs one parsed maglevc command (behaviour.md §7.1): the RPCs it needs and the layout it
// prints. Shared by one-shot mode and the shell, so both print and fail identically. A failed
// RPC rejects (the caller prints the server's message); a not-ok config result returns 1.

import type { CommandName } from './command-tree.js';
import type { BackendAction, MaglevClient } from '../api/maglev-client.js';
import {
  formatBackend,
  formatBackendAction,
  formatBackendList,
  formatConfigCheck,
  formatConfigReload,
  formatFrontend,
  formatFrontendList,
  formatHealthCheck,
  formatHealthCheckList,
} from './output.js';
import type { Style } from './output-style.js';
import { formatVppInfo, formatVppLbCounters, formatVppLbState, vipOfFrontend } from './output-vpp.js';
import { watchEvents } from './watch-events.js';
import { formatPreview, formatVppLbDigest } from './output-preview.js';
import { readCandidateConfig } from './candidate-config.js';

export interface CommandContext {
  readonly client: MaglevClient;
  readonly style: Style;
  /** Prints one line. */
  readonly out: (line: string) => void;
  readonly now: () => number;
  /** `show version` text. */
  readonly version: string;
  /** Stops `watch events` (a key, Ctrl-C). */
  readonly stop: AbortSignal;
}

/** Runs the command; resolves to its exit status (0, or 1 for a not-ok config check/reload). */
export async function runCommand(ctx: CommandContext, name: Exclude<CommandName, 'quit'>, args: ReadonlyMap<string, string>): Promise<number> {
  const { client, style } = ctx;
  const print = (lines: readonly string[]): number => {
    for (const l of lines) ctx.out(l);
    return 0;
  };
  const arg = (k: string): string => args.get(k) ?? '';
  switch (name) {
    case 'show-version':
      return print([ctx.version]);
    case 'show-frontends': {
      if (args.has('frontend')) return print(formatFrontend(style, await client.getFrontend({ name: arg('frontend') })));
      const names = (await client.listFrontends()).frontend_names;
      return print(formatFrontendList(style, await Promise.all(names.map((name) => client.getFrontend({ name })))));
    }
    case 'show-backends': {
      if (args.has('backend')) return print(formatBackend(style, await client.getBackend({ name: arg('backend') }), ctx.now()));
      const names = (await client.listBackends()).backend_names;
      return print(formatBackendList(style, await Promise.all(names.map((name) => client.getBackend({ name })))));
    }
    case 'show-healthchecks': {
      if (args.has('healthcheck')) return print(formatHealthCheck(style, await client.getHealthCheck({ name: arg('healthcheck') })));
      const names = (await client.listHealthChecks()).names;
      return print(formatHealthCheckList(style, await Promise.all(names.map((name) => client.getHealthCheck({ name })))));
    }
    case 'show-vpp-info':
      return print(formatVppInfo(style, await client.getVppInfo(), ctx.now()));
    case 'show-vpp-lb-state': {
      const fe = args.has('frontend') ? await client.getFrontend({ name: arg('frontend') }) : undefined;
      const state = await client.getVppLbState();
      return print(formatVppLbState(style, state, fe === undefined ? undefined : (v) => vipOfFrontend(v, fe)));
    }
    case 'show-vpp-lb-counters':
      return print(formatVppLbCounters(style, await client.getVppLbCounters()));
    case 'show-vpp-lb-digest': {
      const table = args.has('table');
      const r = await client.getVppLbDigest({ frontend: arg('frontend'), include_table: table });
      return print(formatVppLbDigest(style, r.vips, table));
    }
    case 'sync-vpp-lb-state':
      await client.syncVppLbState(args.has('frontend') ? { frontend_name: arg('frontend') } : {});
      return print(['ok']);
    case 'set-backend': {
      const action = arg('action') as BackendAction;
      return print(formatBackendAction(style, await client.backendAction(action, { name: arg('backend') })));
    }
    case 'set-weight': {
      const req = { frontend: arg('frontend'), pool: arg('pool'), backend: arg('backend'), weight: Number(arg('weight')), flush: args.has('flush') };
      return print(formatFrontend(style, await client.setFrontendPoolBackendWeight(req)));
    }
    case 'preview-backend': {
      const r = await client.previewChange({ backend: { name: arg('backend'), action: arg('action') } });
      return print(formatPreview(style, r));
    }
    case 'preview-weight': {
      const req = { frontend: arg('frontend'), weight: { pool: arg('pool'), backend: arg('backend'), weight: Number(arg('weight')) } };
      return print(formatPreview(style, await client.previewChange(req)));
    }
    case 'preview-config': {
      const r = await client.previewConfig(await readCandidateConfig(arg('file')));
      print(formatPreview(style, r));
      return r.ok ? 0 : 1;
    }
    case 'watch-events':
      await watchEvents(client, args, ctx.out, ctx.stop);
      return 0;
    case 'config-check': {
      const r = await client.checkConfig();
      print(formatConfigCheck(r));
      return r.ok ? 0 : 1;
    }
    case 'config-reload': {
      const r = await client.reloadConfig();
      print(formatConfigReload(r));
      return r.ok ? 0 : 1;
    }
    default: {
      const exhaustive: never = name;
      return exhaustive;
    }
  }
}
