// The maglevc command tree (behaviour.md §7.1) as data: keyword edges with one-line help, at
// most one slot edge per node (a name or a number), and the command a node runs when input
// stops there. Keyword edges may set an argument (`pause` sets action=pause); slots set the
// argument they are named after. `watch events` options loop back, so the tree is a graph.
// `preview` takes the words of a `set` command (or a config file) and runs nothing but the preview.

export type SlotKind = 'frontend' | 'backend' | 'healthcheck' | 'pool' | 'pool-backend' | 'weight' | 'count' | 'file';

export type CommandName =
  | 'show-version'
  | 'show-frontends'
  | 'show-backends'
  | 'show-healthchecks'
  | 'show-vpp-info'
  | 'show-vpp-lb-state'
  | 'show-vpp-lb-counters'
  | 'show-vpp-lb-digest'
  | 'sync-vpp-lb-state'
  | 'set-backend'
  | 'set-weight'
  | 'preview-backend'
  | 'preview-weight'
  | 'preview-config'
  | 'watch-events'
  | 'config-check'
  | 'config-reload'
  | 'quit';

export interface KeywordEdge {
  readonly word: string;
  readonly help: string;
  readonly next: CommandNode;
  /** The argument this keyword sets, as [name, value]. */
  readonly sets?: readonly [string, string];
}

export interface SlotEdge {
  readonly kind: SlotKind;
  /** The argument the value is stored under. */
  readonly arg: string;
  /** As shown in help, e.g. `<frontend>` or `<0-100>`. */
  readonly label: string;
  readonly help: string;
  readonly next: CommandNode;
}

export interface CommandNode {
  readonly keywords: readonly KeywordEdge[];
  readonly slot: SlotEdge | undefined;
  /** Set when input may stop here. */
  readonly run: CommandName | undefined;
}

interface MutableNode {
  keywords: KeywordEdge[];
  slot: SlotEdge | undefined;
  run: CommandName | undefined;
}

function node(run?: CommandName): MutableNode {
  return { keywords: [], slot: undefined, run };
}

function kw(word: string, help: string, next: CommandNode, sets?: readonly [string, string]): KeywordEdge {
  return sets === undefined ? { word, help, next } : { word, help, next, sets };
}

function slot(kind: SlotKind, label: string, help: string, next: CommandNode, arg: string = kind): SlotEdge {
  return { kind, arg, label, help, next };
}

function watchEvents(): CommandNode {
  const opts = node('watch-events');
  const count = node();
  count.slot = slot('count', '<n>', 'number of events (at least 1)', opts);
  const level = node();
  level.keywords = (['debug', 'info', 'warn', 'error'] as const).map((l) => kw(l, `log records at ${l} and above`, opts, ['level', l]));
  const log = node('watch-events');
  const num = kw('num', 'stop after <n> events', count);
  const backend = kw('backend', 'backend transitions', opts, ['backend', 'true']);
  const frontend = kw('frontend', 'frontend transitions', opts, ['frontend', 'true']);
  log.keywords = [kw('level', 'minimum log level (default info)', level), num, backend, frontend];
  opts.keywords = [num, kw('log', 'log records', log, ['log', 'true']), backend, frontend];
  return opts;
}

/**
 * `set backend …` and `set frontend …`, ending in `runs`: the real commands (with `flush` for
 * weights), or their previews (flush changes no new-flow bucket, so a preview has none).
 */
function setCommands(runs: { readonly backend: CommandName; readonly weight: CommandName; readonly flush: boolean }): CommandNode {
  const backendAction = node();
  backendAction.keywords = [
    kw('pause', 'stop health checking, drain gracefully', node(runs.backend), ['action', 'pause']),
    kw('resume', 'resume health checking', node(runs.backend), ['action', 'resume']),
    kw('enable', 'enable a disabled backend', node(runs.backend), ['action', 'enable']),
    kw('disable', 'disable the backend, flush its flows', node(runs.backend), ['action', 'disable']),
  ];
  const setBackend = node();
  setBackend.slot = slot('backend', '<backend>', 'backend name', backendAction);
  const weighted = node(runs.weight);
  if (runs.flush) weighted.keywords = [kw('flush', 'also flush existing flows of this backend', node(runs.weight), ['flush', 'true'])];
  const weightSlot = node();
  weightSlot.slot = slot('weight', '<0-100>', 'configured weight', weighted);
  const weightKw = node();
  weightKw.keywords = [kw('weight', 'set the configured weight', weightSlot)];
  const memberSlot = node();
  memberSlot.slot = slot('pool-backend', '<pool-backend>', 'backend in that pool', weightKw, 'backend');
  const backendKw = node();
  backendKw.keywords = [kw('backend', 'pool member', memberSlot)];
  const poolSlot = node();
  poolSlot.slot = slot('pool', '<pool>', 'pool name', backendKw);
  const poolKw = node();
  poolKw.keywords = [kw('pool', 'pool of the frontend', poolSlot)];
  const setFrontend = node();
  setFrontend.slot = slot('frontend', '<frontend>', 'frontend name', poolKw);
  const set = node();
  set.keywords = [kw('backend', 'operator action on a backend', setBackend), kw('frontend', 'runtime weight of a pool member', setFrontend)];
  return set;
}

/** Builds the tree; quit and exit exist only in the interactive shell. */
export function createCommandTree(opts: { readonly interactive: boolean }): CommandNode {
  const showFrontends = node('show-frontends');
  showFrontends.slot = slot('frontend', '<frontend>', 'frontend name', node('show-frontends'));
  const showBackends = node('show-backends');
  showBackends.slot = slot('backend', '<backend>', 'backend name', node('show-backends'));
  const showHealthChecks = node('show-healthchecks');
  showHealthChecks.slot = slot('healthcheck', '<healthcheck>', 'health check name', node('show-healthchecks'));
  const lbState = node('show-vpp-lb-state');
  lbState.slot = slot('frontend', '<frontend>', "only this frontend's VIP", node('show-vpp-lb-state'));
  const digestTable = kw('table', 'also print the bucket → AS table', node('show-vpp-lb-digest'), ['table', 'true']);
  const lbDigestOne = node('show-vpp-lb-digest');
  lbDigestOne.keywords = [digestTable];
  const lbDigest = node('show-vpp-lb-digest');
  lbDigest.keywords = [digestTable];
  lbDigest.slot = slot('frontend', '<frontend>', "only this frontend's VIP", lbDigestOne);
  const show = node();
  show.keywords = [
    kw('version', 'client version, commit and build date', node('show-version')),
    kw('frontends', 'frontends, or one frontend in detail', showFrontends),
    kw('backends', 'backends, or one backend in detail', showBackends),
    kw('healthchecks', 'health checks, or one in detail', showHealthChecks),
    kw('vpp', 'VPP dataplane', {
      keywords: [
        kw('info', 'VPP version, pid, uptime and connection', node('show-vpp-info')),
        kw('lb', 'VPP load balancer', {
          keywords: [
            kw('state', 'VIPs and application servers in VPP', lbState),
            kw('counters', 'per-VIP packet counters', node('show-vpp-lb-counters')),
            kw('digest', "each VIP's new-flow table digest, to compare LB hosts", lbDigest),
          ],
          slot: undefined,
          run: undefined,
        }),
      ],
      slot: undefined,
      run: undefined,
    }),
  ];

  const syncState = node('sync-vpp-lb-state');
  syncState.slot = slot('frontend', '<frontend>', "only this frontend's VIP", node('sync-vpp-lb-state'));
  const sync = node();
  sync.keywords = [
    kw('vpp', 'VPP dataplane', {
      keywords: [kw('lb', 'VPP load balancer', { keywords: [kw('state', 'program VPP from the config now', syncState)], slot: undefined, run: undefined })],
      slot: undefined,
      run: undefined,
    }),
  ];

  const set = setCommands({ backend: 'set-backend', weight: 'set-weight', flush: true });
  const previewConfig = node();
  previewConfig.slot = slot('file', '<file>', 'candidate config file (read here, sent to the server)', node('preview-config'));
  const preview = node();
  preview.keywords = [
    kw('set', 'what this set command would move', setCommands({ backend: 'preview-backend', weight: 'preview-weight', flush: false })),
    kw('config', 'what reloading this config would move', previewConfig),
  ];

  const watch = node();
  watch.keywords = [kw('events', 'stream events as JSON lines (any key stops)', watchEvents())];

  const config = node();
  config.keywords = [
    kw('check', 'validate the config file on the server', node('config-check')),
    kw('reload', 'reload the config file on the server', node('config-reload')),
  ];

  const root = node();
  root.keywords = [
    kw('show', 'show state', show),
    kw('sync', 'synchronise VPP', sync),
    kw('set', 'change runtime state', set),
    kw('preview', "how much of each VIP's new flows a change would move, and where", preview),
    kw('watch', 'watch live events', watch),
    kw('config', 'config file check and reload', config),
  ];
  if (opts.interactive) root.keywords.push(kw('quit', 'leave the shell', node('quit')), kw('exit', 'leave the shell', node('quit')));
  return root;
}
