import t from 'tap';
import type { PoolInfo } from '../../../src/web/ui/api-types.js';
import { healthIcon, healthIconGlyph } from '../../../src/web/ui/health-icon.js';

const m = (state: string, eff = 100) => ({ name: `b-${state}-${eff}`, weight: 100, effectiveWeight: eff, state, lastTransitionUnixNs: '0', agentState: '' });
const pool = (active: boolean, ...backends: ReturnType<typeof m>[]): PoolInfo => ({ name: 'p', active, backends });

t.test('health icon rules', async (t) => {
  const cases: Array<{ name: string; state: string; pools: PoolInfo[]; settling?: boolean; want: string }> = [
    { name: 'all up in pool 0', state: 'up', pools: [pool(true, m('up'), m('up'))], want: '✅' },
    { name: 'one down in the active pool', state: 'up', pools: [pool(true, m('up'), m('down', 0))], want: '⚠️' },
    { name: 'up but weight 0', state: 'up', pools: [pool(true, m('up'), m('up', 0))], want: '⚠️' },
    { name: 'paused member', state: 'up', pools: [pool(true, m('up'), m('paused', 0))], want: '⚠️' },
    { name: 'served by the fallback pool', state: 'up', pools: [pool(false, m('down', 0)), pool(true, m('up'))], want: '❗' },
    { name: 'up without an active pool', state: 'up', pools: [pool(false, m('up', 0))], want: '⚠️' },
    { name: 'down', state: 'down', pools: [pool(false, m('down', 0))], want: '‼️' },
    { name: 'down while settling', state: 'down', pools: [pool(false, m('down', 0))], settling: true, want: '⏳' },
    { name: 'settling does not hide other states', state: 'up', pools: [pool(true, m('up'))], settling: true, want: '✅' },
    { name: 'unknown', state: 'unknown', pools: [pool(false, m('unknown', 0))], want: '❓' },
  ];
  for (const c of cases) t.equal(healthIconGlyph[healthIcon({ state: c.state, pools: c.pools }, c.settling ?? false)], c.want, c.name);
});
