// A program's version, commit and build date, and the one line that `--version` and maglevc's
// `show version` print for it. This build's comes from src/generated/build-info.ts; a maglevd's
// comes over the wire (GetVersion), so a client can show both.

import { buildInfo } from '../generated/build-info.js';

export interface BuildVersion {
  readonly version: string;
  /** Short git commit, or 'unknown' outside a git checkout. */
  readonly commit: string;
  /** RFC 3339: the commit's date, so every build of one commit agrees. */
  readonly date: string;
}

/** This build. */
export const thisBuild: BuildVersion = buildInfo;

/** `maglevc 0.1.0 (commit 0c8f9b183211, built 2026-12-05T19:56:02+00:00)`. */
export function versionLine(program: string, v: BuildVersion = thisBuild): string {
  return `${program} ${v.version} (commit ${v.commit}, built ${v.date})`;
}
