// The host programs a bench may use but never installs (nginx, haproxy, cc): where they are, and
// what to tell the reader when one is missing.

import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Debian packages that provide each tool, for the "install it with" hint. */
const packages: Record<string, string> = { nginx: 'nginx', haproxy: 'haproxy', cc: 'gcc', openssl: 'openssl' };

/** Absolute path of an executable on PATH or in the sbin directories; undefined when absent. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const dirs = [...path.split(':').filter((d) => d !== ''), '/usr/local/sbin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** "haproxy is not installed (Debian/Ubuntu: apt-get install haproxy)". */
export function missingTool(name: string): string {
  return `${name} is not installed (Debian/Ubuntu: apt-get install ${packages[name] ?? name})`;
}
