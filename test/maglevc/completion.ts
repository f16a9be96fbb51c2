// Tab completion and `?` help: keywords from the tree, live names per slot kind (pools and pool
// members from the frontend named on the line), the 5 s name cache, and unreachable servers.

import t from 'tap';
import type { FrontendInfo, GetFrontendRequest__Input } from '../../src/api/maglev-messages.js';
import { frontendInfo } from '../../src/control/grpc-convert.js';
import { createCommandTree } from '../../src/maglevc/command-tree.js';
import { Completer, nameCacheMs, splitLine, type NameSource } from '../../src/maglevc/completion.js';
import { FakeControlPlane } from '../support/fake-control-plane.js';

function source(): NameSource & { calls: string[]; down: boolean } {
  const fake = new FakeControlPlane();
  const s = {
    calls: [] as string[],
    down: false,
    async listFrontends() {
      return s.answer('frontends', () => ({ frontend_names: fake.listFrontends() }));
    },
    async listBackends() {
      return s.answer('backends', () => ({ backend_names: fake.listBackends() }));
    },
    async listHealthChecks() {
      return s.answer('healthchecks', () => ({ names: fake.listHealthChecks() }));
    },
    async getFrontend({ name = '' }: GetFrontendRequest__Input): Promise<FrontendInfo> {
      return s.answer(`frontend ${name}`, () => frontendInfo(fake.getFrontend(name)));
    },
    answer<T>(call: string, fn: () => T): Promise<T> {
      s.calls.push(call);
      return s.down ? Promise.reject(new Error('unavailable')) : Promise.resolve(fn());
    },
  };
  return s;
}

const tree = createCommandTree({ interactive: true });

void t.test('splitLine', (t) => {
  t.same(splitLine(''), { tokens: [], partial: '' });
  t.same(splitLine('sh'), { tokens: [], partial: 'sh' });
  t.same(splitLine('show '), { tokens: ['show'], partial: '' });
  t.same(splitLine('show fr'), { tokens: ['show'], partial: 'fr' });
  t.end();
});

void t.test('completion candidates', async (t) => {
  const src = source();
  const c = new Completer(tree, src, () => 0);
  const cases: Array<{ in: string; want: string[]; note?: string }> = [
    { in: '', want: ['show ', 'sync ', 'set ', 'preview ', 'watch ', 'config ', 'quit ', 'exit '] },
    { in: 's', want: ['show ', 'sync ', 'set '] },
    { in: 'sh', want: ['show '] },
    { in: 'show ', want: ['version ', 'frontends ', 'backends ', 'healthchecks ', 'vpp '] },
    { in: 'sh fr', want: ['frontends '] },
    { in: 'show frontends ', want: ['web4 ', 'web6 '] },
    { in: 'show frontends web', want: ['web4 ', 'web6 '] },
    { in: 'show backends nginx0', want: ['nginx0-ams ', 'nginx0-fra '] },
    { in: 'show healthchecks t', want: ['tcp-tls '] },
    { in: 'set backend nginx1-zrh ', want: ['pause ', 'resume ', 'enable ', 'disable '] },
    { in: 'set frontend web4 pool ', want: ['primary ', 'fallback '] },
    { in: 'set frontend web4 pool fallback backend ', want: ['nginx1-zrh '] },
    { in: 'set frontend web4 pool primary backend nginx0-f', want: ['nginx0-fra '] },
    { in: 'set frontend web4 pool primary backend nginx0-fra weight ', want: [] },
    { in: 'watch events log level ', want: ['debug ', 'info ', 'warn ', 'error '] },
    { in: 'p', want: ['preview '] },
    { in: 'preview ', want: ['set ', 'config '] },
    { in: 'preview set ', want: ['backend ', 'frontend '] },
    { in: 'preview set backend n', want: ['nginx0-ams ', 'nginx0-fra ', 'nginx1-zrh '] },
    { in: 'preview set backend nginx0-ams ', want: ['pause ', 'resume ', 'enable ', 'disable '] },
    { in: 'preview set frontend w', want: ['web4 ', 'web6 '] },
    { in: 'preview set frontend web4 pool primary backend ', want: ['nginx0-ams ', 'nginx0-fra '] },
    { in: 'preview set frontend web4 pool primary backend nginx0-ams weight 0 ', want: [], note: 'a preview has no flush' },
    { in: 'preview config ', want: [] },
    { in: 'show vpp lb ', want: ['state ', 'counters ', 'digest '] },
    { in: 'show vpp lb digest ', want: ['table ', 'web4 ', 'web6 '] },
    { in: 'show vpp lb digest web4 ', want: ['table '] },
    { in: 'show frobnicate ', want: [] },
    { in: 'set frontend nope pool ', want: [] },
  ];
  for (const k of cases) {
    const [hits, word] = await c.complete(k.in);
    t.same(hits, k.want, `${JSON.stringify(k.in)}${k.note === undefined ? '' : `: ${k.note}`}`);
    t.equal(word, splitLine(k.in).partial);
  }
});

void t.test('names are cached for 5 s; failures are not cached', async (t) => {
  const src = source();
  let now = 0;
  const c = new Completer(tree, src, () => now);
  await c.complete('show backends ');
  await c.complete('show backends n');
  t.same(src.calls, ['backends'], 'one lookup while fresh');
  now += nameCacheMs;
  await c.complete('show backends ');
  t.same(src.calls, ['backends', 'backends'], 'looked up again after 5 s');
  await c.complete('set frontend web4 pool ');
  await c.complete('set frontend web4 pool primary backend ');
  t.same(src.calls.slice(2), ['frontend web4', 'frontend web4'], 'pools and members are cached per key');
  src.down = true;
  t.same(await c.complete('show frontends '), [[], ''], 'an unreachable server completes nothing');
  src.down = false;
  t.same((await c.complete('show frontends '))[0], ['web4 ', 'web6 '], 'and the failure was not cached');
});

void t.test('? help', (t) => {
  const c = new Completer(tree, source(), () => 0);
  t.same(c.help('show '), [
    '  version       client version, commit and build date',
    '  frontends     frontends, or one frontend in detail',
    '  backends      backends, or one backend in detail',
    '  healthchecks  health checks, or one in detail',
    '  vpp           VPP dataplane',
  ]);
  t.same(c.help('show fr'), ['  frontends  frontends, or one frontend in detail'], 'a partial word lists its matches');
  t.same(c.help('show frontends '), ['  <frontend>  frontend name', '  <cr>        run the command']);
  t.same(c.help('set frontend web4 pool p backend b weight '), ['  <0-100>  configured weight']);
  t.same(c.help('preview '), [
    "  set     what this set command would move",
    '  config  what reloading this config would move',
  ]);
  t.same(c.help('preview config '), ['  <file>  candidate config file (read here, sent to the server)']);
  t.same(c.help('preview set backend b pause '), ['  <cr>  run the command']);
  t.same(c.help('show vpp lb digest '), ['  table       also print the bucket → AS table', "  <frontend>  only this frontend's VIP", '  <cr>        run the command']);
  t.same(c.help('show frob'), ['  unknown command "frob"']);
  t.same(c.help('show frob '), ['  unknown command "frob" after "show"']);
  t.end();
});
