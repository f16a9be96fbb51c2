// `maglevd --check --config NEW --preview-against ADDR`: after NEW passed the local check, the
// running maglevd at ADDR previews it (PreviewConfig streams the file's text) and each VIP's line
// is printed, so the operator sees what a SIGHUP would move before sending it. The running
// daemon answers from its live state: backend health, runtime weights, its own config.

import { readFile } from 'node:fs/promises';
import { errorText, MaglevClient } from '../api/maglev-client.js';
import { previewLines } from '../api/preview-summary.js';
import { maglevdExitCodes } from './maglevd-options.js';

export interface PreviewOutput {
  out(line: string): void;
  err(line: string): void;
}

/** The preview deadline: the daemon answers from memory, so this only bounds a dead server. */
const previewDeadlineMs = 10_000;

/** 0 with the preview printed; 1/2 if the running daemon finds problems; 3 if it cannot answer. */
export async function previewConfigAgainst(path: string, server: string, io: PreviewOutput): Promise<number> {
  const client = new MaglevClient(server, { deadlineMs: previewDeadlineMs });
  try {
    const r = await client.previewConfig(await readFile(path, 'utf8'));
    if (!r.ok) {
      // The running daemon's loader disagrees with ours (another version): its word is shown.
      for (const e of [r.parse_error, r.semantic_error].filter((x) => x !== '')) io.err(e);
      return r.parse_error !== '' ? maglevdExitCodes.configParse : maglevdExitCodes.configSemantic;
    }
    io.out(`preview against ${server}:`);
    for (const line of previewLines(r)) io.out(`  ${line}`);
    return maglevdExitCodes.ok;
  } catch (e) {
    io.err(`maglevd: preview against ${server}: ${errorText(e)}`);
    return maglevdExitCodes.startup;
  } finally {
    client.close();
  }
}
