// The config worker's one task (run by off-thread-loader.ts in a Piscina worker thread): read and
// parse a config file away from the main thread, where the checker's loops and the gRPC server
// run. The result is plain data (Maps, arrays, records); a config is frozen after the copy back.

import { loadConfigFile, parseConfig, type ConfigIssue, type ConfigLoad } from './loader.js';

/** A file to read (reload, CheckConfig) or a candidate text (PreviewChange), never both. */
export type LoadConfigRequest = ({ readonly path: string; readonly text?: undefined } | { readonly text: string; readonly path?: undefined }) & {
  /** false for a check: the verdict and the issues come back, the config (the costly copy) not. */
  readonly withConfig: boolean;
};

/** A check's answer: a load without its config. */
export type ConfigVerdict = { readonly ok: true; readonly warnings: readonly ConfigIssue[] } | Extract<ConfigLoad, { readonly ok: false }>;

export default async function loadConfigTask(req: LoadConfigRequest): Promise<ConfigLoad | ConfigVerdict> {
  const load = req.text === undefined ? await loadConfigFile(req.path, { freeze: false }) : parseConfig(req.text, { freeze: false });
  return load.ok && !req.withConfig ? { ok: true, warnings: load.warnings } : load;
}
