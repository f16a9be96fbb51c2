// Test helper (root only): two network namespaces joined by a veth pair, for paths loopback
// cannot give: a silent neighbour (timeouts) and a router with unreachable routes (ICMP
// destination-unreachable). Probes run in namespace `a`; nothing leaves these namespaces.
//
//   ns a: va 10.231.0.1/24 fd00:231::1/64 ── vb 10.231.0.2/24 fd00:231::2/64 :ns b (router)
//   a: 10.232.0.0/16, fd00:232::/32 via b      b: those prefixes are `unreachable`
//   a: 10.231.0.99 and fd00:231::99 have a static neighbour entry nobody answers for

import { execFileSync } from 'node:child_process';

export interface NetnsLab {
  readonly a: string;
  readonly b: string;
  close(): void;
}

export const lab = {
  self4: '10.231.0.1',
  router4: '10.231.0.2',
  router6: 'fd00:231::2',
  silent4: '10.231.0.99',
  silent6: 'fd00:231::99',
  unreachable4: '10.232.0.1',
  unreachable6: 'fd00:232::1',
} as const;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Builds the lab, or returns the reason it cannot be built on this machine. */
export function startNetnsLab(): NetnsLab | string {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  const a = `maglev-t${process.pid}a`;
  const b = `maglev-t${process.pid}b`;
  const close = (): void => {
    for (const ns of [a, b]) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // not created
      }
    }
  };
  try {
    ip('netns', 'add', a);
    ip('netns', 'add', b);
    ip('-n', a, 'link', 'set', 'lo', 'up');
    ip('-n', b, 'link', 'set', 'lo', 'up');
    ip('-n', a, 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb', 'netns', b);
    ip('-n', a, 'addr', 'add', '10.231.0.1/24', 'dev', 'va');
    ip('-n', a, '-6', 'addr', 'add', 'fd00:231::1/64', 'dev', 'va', 'nodad');
    ip('-n', b, 'addr', 'add', '10.231.0.2/24', 'dev', 'vb');
    ip('-n', b, '-6', 'addr', 'add', 'fd00:231::2/64', 'dev', 'vb', 'nodad');
    ip('-n', a, 'link', 'set', 'va', 'up');
    ip('-n', b, 'link', 'set', 'vb', 'up');
    ip('-n', a, 'route', 'add', '10.232.0.0/16', 'via', '10.231.0.2');
    ip('-n', a, '-6', 'route', 'add', 'fd00:232::/32', 'via', 'fd00:231::2');
    ip('-n', a, 'neigh', 'add', '10.231.0.99', 'lladdr', '02:00:00:00:00:99', 'dev', 'va', 'nud', 'permanent');
    ip('-n', a, '-6', 'neigh', 'add', 'fd00:231::99', 'lladdr', '02:00:00:00:00:99', 'dev', 'va', 'nud', 'permanent');
    ip('netns', 'exec', b, 'sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0');
    ip('-n', b, 'route', 'add', 'unreachable', '10.232.0.0/16');
    ip('-n', b, '-6', 'route', 'add', 'unreachable', 'fd00:232::/32');
  } catch (e) {
    close();
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot build the namespace lab: ${stderr ?? String(e)}`;
  }
  return { a, b, close };
}
