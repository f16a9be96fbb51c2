import t from 'tap';
import type { Event, LogEvent } from '../../src/api/maglev-messages.js';
import { watchActions } from '../../src/web/watch-actions.js';

const tr = { from: 'up', to: 'down', at_unix_ns: '1', code: 'L4TOUT', detail: '' };
const log = (msg: string, attrs: Record<string, string> = {}): Event => {
  const rec: LogEvent = { at_unix_ns: '1', level: 'debug', msg, attrs: Object.entries(attrs).map(([key, value]) => ({ key, value })) };
  return { log: rec, event: 'log' };
};
const kinds = (ev: Event): string[] =>
  watchActions(ev).map((a) => {
    switch (a.kind) {
      case 'probe':
        return `probe:${a.backend}:${a.phase}:${a.ok}:${a.code}`;
      case 'vpp-api':
        return `vpp-api:${a.direction}`;
      case 'vpp':
        return `vpp:${a.connected}:${a.detail}`;
      case 'log':
        return `log:${a.record.msg}`;
      case 'backend':
        return `backend:${a.backend}:${a.transition.to}`;
      case 'frontend':
        return `frontend:${a.frontend}:${a.transition.to}`;
      default:
        return a.kind;
    }
  });

t.test('WatchEvents messages become dashboard actions', async (t) => {
  const cases: Array<{ name: string; in: Event; want: string[] }> = [
    { name: 'backend transition', in: { backend: { backend_name: 'b1', transition: tr }, event: 'backend' }, want: ['backend:b1:down'] },
    { name: 'frontend transition', in: { frontend: { frontend_name: 'f1', transition: tr }, event: 'frontend' }, want: ['frontend:f1:down'] },
    { name: 'backend without transition', in: { backend: { backend_name: 'b1', transition: null } }, want: [] },
    { name: 'probe-start', in: log('probe-start', { backend: 'b1', type: 'http' }), want: ['probe:b1:start:false:'] },
    { name: 'probe-done ok', in: log('probe-done', { backend: 'b1', ok: 'true', code: 'L7OK' }), want: ['probe:b1:done:true:L7OK'] },
    { name: 'probe-done failed', in: log('probe-done', { backend: 'b1', ok: 'false', code: 'L4CON' }), want: ['probe:b1:done:false:L4CON'] },
    { name: 'probe-discarded ends the probe', in: log('probe-discarded', { backend: 'b1', code: 'L4TOUT' }), want: ['probe:b1:done:false:L4TOUT'] },
    { name: 'vpp-api-send', in: log('vpp-api-send', { vpp_msg: 'lb_vip_dump' }), want: ['vpp-api:send'] },
    { name: 'vpp-api-recv-multi', in: log('vpp-api-recv-multi'), want: ['vpp-api:recv'] },
    { name: 'vpp-connect', in: log('vpp-connect', { version: '26.06' }), want: ['vpp:true:26.06', 'lb-changed', 'log:vpp-connect'] },
    { name: 'vpp-disconnect', in: log('vpp-disconnect', { reason: 'eof' }), want: ['vpp:false:eof', 'log:vpp-disconnect'] },
    { name: 'config-reload refetches', in: log('config-reload'), want: ['refetch', 'log:config-reload'] },
    { name: 'sync-done re-reads the lb state', in: log('vpp-lb-sync-done'), want: ['lb-changed', 'log:vpp-lb-sync-done'] },
    { name: 'other records are log lines', in: log('backend-pause', { backend: 'b1' }), want: ['log:backend-pause'] },
    { name: 'empty envelope', in: {}, want: [] },
  ];
  for (const c of cases) t.same(kinds(c.in), c.want, c.name);
});
