// `preview config <file>` reads the candidate config here, on the client, and sends its text:
// the server never opens a path a client names. Files over the config loader's 16 MiB limit are
// refused before reading (the server would refuse them too).

import { readFile, stat } from 'node:fs/promises';
import { errorMessage } from '../shared/errors.js';

/** The loader's limit (config/limits.ts), which a text must stay under to be parsed at all. */
const maxCandidateBytes = 16 * 1024 * 1024;

/** The file's text; rejects with a message naming the file. */
export async function readCandidateConfig(path: string): Promise<string> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size > maxCandidateBytes) throw new Error(`larger than ${maxCandidateBytes} bytes (16 MiB)`);
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read config file ${path}: ${errorMessage(e)}`, { cause: e });
  }
}
