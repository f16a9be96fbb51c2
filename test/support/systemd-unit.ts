// Test helper for the systemd units in packaging/: parses a unit as key lists per section, runs
// `systemd-analyze verify` on it with the ExecStart binary pointed at a stub (verify checks that
// the program exists and is executable), and expands SystemCallFilter= groups to system calls
// with `systemd-analyze syscall-filter`.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type UnitSections = Map<string, Map<string, string[]>>;

/** Section → key → every value given (systemd keys may repeat); comments and blanks skipped. */
export function parseUnit(text: string): UnitSections {
  const sections: UnitSections = new Map();
  let current: Map<string, string[]> | undefined;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section !== null) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv === null || current === undefined) throw new Error(`line ${i + 1}: not a key=value in a section: ${raw}`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!]);
  }
  return sections;
}

/** Readers over one section: the single value of a key, and all values split into words. */
export function sectionReader(section: Map<string, string[]> | undefined): {
  one: (key: string) => string | undefined;
  words: (key: string) => string[];
} {
  const s = section ?? new Map<string, string[]>();
  return {
    one: (key) => {
      const v = s.get(key);
      return v?.length === 1 ? v[0] : undefined;
    },
    words: (key) => (s.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter((w) => w !== ''),
  };
}

/** Hardening both units share (docs/security.md §8): key and the one value it must have. */
export const commonHardening: ReadonlyArray<readonly [string, string]> = [
  ['NoNewPrivileges', 'yes'],
  ['ProtectSystem', 'strict'],
  ['ProtectHome', 'yes'],
  ['PrivateTmp', 'yes'],
  ['PrivateDevices', 'yes'],
  ['ProtectKernelTunables', 'yes'],
  ['ProtectKernelModules', 'yes'],
  ['ProtectControlGroups', 'yes'],
  ['RestrictSUIDSGID', 'yes'],
  ['LockPersonality', 'yes'],
  ['SystemCallArchitectures', 'native'],
];

/** Settings neither unit may have: V8's JIT needs W+X pages, and both units talk to the network. */
export const forbiddenSettings = ['MemoryDenyWriteExecute', 'PrivateNetwork', 'IPAddressDeny'];

export async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    await run('systemd-analyze', ['--version'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `systemd-analyze verify` of the unit text, saved under its own file name in a temp dir, with
 * `ExecStart=<binary> ` rewritten to a stub script. Throws unless exactly one ExecStart names it.
 */
export async function verifyUnit(unitFile: string, unitText: string, binary: string): Promise<{ code: number; stderr: string }> {
  const prefix = `ExecStart=${binary} `;
  if (unitText.split(prefix).length !== 2) throw new Error(`${unitFile}: expected one "${prefix}"`);
  const dir = mkdtempSync(join(tmpdir(), 'maglev-unit-'));
  try {
    const stub = join(dir, basename(binary));
    writeFileSync(stub, '#!/bin/sh\nexit 0\n');
    chmodSync(stub, 0o755);
    const path = join(dir, basename(unitFile));
    writeFileSync(path, unitText.replace(prefix, `ExecStart=${stub} `));
    return await run('systemd-analyze', ['verify', '--man=no', path], { timeout: 60_000 }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code ?? -1, stderr: e.stderr ?? '' }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The system calls a SystemCallFilter= value names ("@group name ..."; a leading "~" is dropped). */
export async function expandSyscallFilter(value: string): Promise<Set<string>> {
  const groups = new Map<string, Set<string>>();
  const expand = async (group: string): Promise<Set<string>> => {
    const known = groups.get(group);
    if (known !== undefined) return known;
    const out = new Set<string>();
    groups.set(group, out);
    const text = (await run('systemd-analyze', ['syscall-filter', group], { timeout: 30_000 })).stdout;
    // Groups list other groups by name: expand them too.
    for (const line of text.split('\n').slice(1)) {
      const entry = line.trim();
      if (entry === '' || entry.startsWith('#')) continue;
      for (const call of entry.startsWith('@') ? await expand(entry) : [entry]) out.add(call);
    }
    return out;
  };
  const calls = new Set<string>();
  for (const word of value.replace(/^~/, '').split(/\s+/).filter((w) => w !== '')) {
    for (const call of word.startsWith('@') ? await expand(word) : [word]) calls.add(call);
  }
  return calls;
}
