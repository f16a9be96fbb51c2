// The frontend health icon of the dashboard (our rules): ✅ every backend of the active
// pool up with weight > 0; ❗ up but served by a pool other than the first; ⚠️ up but some
// backend of the active pool is not up (or has weight 0); ‼️ down, shown as ⏳ while "settling"
// (until the next lb-state read after a transition or weight change); ❓ unknown. Pure.

import type { FrontendInfo } from './api-types.js';

export type HealthIcon = 'ok' | 'degraded' | 'fallback' | 'down' | 'settling' | 'unknown';

export const healthIconGlyph: Readonly<Record<HealthIcon, string>> = {
  ok: '✅',
  degraded: '⚠️',
  fallback: '❗',
  down: '‼️',
  settling: '⏳',
  unknown: '❓',
};

export const healthIconTitle: Readonly<Record<HealthIcon, string>> = {
  ok: 'all backends of the active pool are up',
  degraded: 'up, but a backend of the active pool is not serving',
  fallback: 'up, served by a fallback pool',
  down: 'down',
  settling: 'settling: waiting for the next VPP lb-state read',
  unknown: 'state unknown',
};

export function healthIcon(fe: Pick<FrontendInfo, 'state' | 'pools'>, settling: boolean): HealthIcon {
  switch (fe.state) {
    case 'down':
      return settling ? 'settling' : 'down';
    case 'up': {
      const i = fe.pools.findIndex((p) => p.active);
      if (i > 0) return 'fallback';
      const pool = fe.pools[i];
      if (pool === undefined) return 'degraded';
      return pool.backends.every((b) => b.state === 'up' && b.effectiveWeight > 0) ? 'ok' : 'degraded';
    }
    default:
      return 'unknown';
  }
}
