import t from 'tap';
import { setImmediate as tick } from 'node:timers/promises';
import { ManualClock } from '../support/manual-clock.js';
import { DaemonError } from '../../src/shared/errors.js';
import { CounterScraper, fibCounterName, lbCounterNames, type CounterStatsSource } from '../../src/vpp/counter-scraper.js';
import type { CliVip } from '../../src/vpp/lb-api.js';
import type { StatsReading, StatsRequest } from '../../src/vpp/stats-segment.js';
import { RecordingLogger } from '../support/recording-logger.js';

function vip(prefix: string, port: number, index: number, counters = { next: 1, first: 2, untracked: 3, noServer: 4 }, removed = false): CliVip {
  return { prefix, protocol: 6, port, index, encap: 'gre4', srcIpSticky: false, removed, newSize: 1024, counters };
}

const vips: CliVip[] = [
  vip('192.0.2.1/32', 80, 0),
  vip('192.0.2.1/32', 443, 3),
  vip('2001:db8::1/128', 80, 1),
  vip('192.0.2.9/32', 80, 2, undefined, true), // removed, awaiting GC
];

/** A stats source answering from per-name tables; records requests. */
class FakeStats implements CounterStatsSource {
  readonly requests: StatsRequest[] = [];
  simple = new Map<string, Map<number, bigint>>([
    [lbCounterNames.next, new Map([[0, 10n], [3, 30n], [1, 2n ** 60n]])],
    [lbCounterNames.first, new Map([[0, 1n], [3, 3n], [1, 5n]])],
    [lbCounterNames.untracked, new Map([[0, 0n], [3, 0n], [1, 0n]])],
    // 'no server configured' absent: counts as 0
  ]);
  combined = new Map([[fibCounterName, new Map([[7, { packets: 100n, bytes: 2n ** 55n }]])]]);
  failure: Error | undefined;

  read(req: StatsRequest): Promise<StatsReading> {
    this.requests.push(req);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const pick = <V>(tables: Map<string, Map<number, V>>, asks: StatsRequest['simple']) =>
      new Map(
        (asks ?? [])
          .filter((a) => tables.has(a.name))
          .map((a) => [a.name, new Map(a.indices.filter((i) => tables.get(a.name)!.has(i)).map((i) => [i, tables.get(a.name)!.get(i)!]))]),
      );
    return Promise.resolve({
      epoch: 1n,
      simple: pick(this.simple, req.simple),
      combined: pick(this.combined, req.combined),
      scalars: new Map(),
      nameVectors: new Map(),
    });
  }
}

function setup(opts: { stats?: FakeStats | null; routes?: Map<string, number> | null } = {}) {
  const clock = new ManualClock();
  const logger = new RecordingLogger();
  const stats = opts.stats === null ? undefined : (opts.stats ?? new FakeStats());
  const lookups: string[] = [];
  const routes = opts.routes === null ? undefined : (opts.routes ?? new Map([['192.0.2.1/32', 7]]));
  const lb = { current: vips as CliVip[] | Error, calls: 0 };
  const statsErrors: DaemonError[] = [];
  const scraper = new CounterScraper({
    lb: {
      vipsVerbose: () => {
        lb.calls++;
        return lb.current instanceof Error ? Promise.reject(lb.current) : Promise.resolve(lb.current);
      },
    },
    ...(routes === undefined
      ? {}
      : {
          routeLookup: (prefix: string) => {
            lookups.push(prefix);
            return Promise.resolve(routes.get(prefix));
          },
        }),
    ...(stats === undefined ? {} : { stats }),
    clock,
    logger,
    onStatsError: (e) => statsErrors.push(e),
  });
  return { clock, logger, stats, lookups, lb, scraper, statsErrors };
}

t.test('stats path: lb counters per pool index, FIB counters per prefix', async (t) => {
  const { scraper, stats, lookups, clock } = setup();
  t.equal(scraper.snapshot(), undefined);
  t.equal(await scraper.scrapeOnce(), true);
  const snap = scraper.snapshot()!;
  t.equal(snap.scrapedAt, clock.now());
  t.equal(snap.source, 'stats');
  t.same(snap.vips, [
    { prefix: '192.0.2.1/32', protocol: 6, port: 80, index: 0, next: 10n, first: 1n, untracked: 0n, noServer: 0n, fibPackets: 100n, fibBytes: 2n ** 55n },
    { prefix: '192.0.2.1/32', protocol: 6, port: 443, index: 3, next: 30n, first: 3n, untracked: 0n, noServer: 0n, fibPackets: 100n, fibBytes: 2n ** 55n },
    { prefix: '2001:db8::1/128', protocol: 6, port: 80, index: 1, next: 2n ** 60n, first: 5n, untracked: 0n, noServer: 0n, fibPackets: undefined, fibBytes: undefined },
  ]);
  t.same(lookups, ['192.0.2.1/32', '2001:db8::1/128'], 'one route lookup per distinct prefix; removed VIPs skipped');
  t.same(stats!.requests[0], {
    simple: Object.values(lbCounterNames).map((name) => ({ name, indices: [0, 3, 1] })),
    combined: [{ name: fibCounterName, indices: [7] }],
  });
  t.ok(Object.isFrozen(snap) && Object.isFrozen(snap.vips) && Object.isFrozen(snap.vips[0]), 'immutable');
});

t.test('fallbacks: CLI counters without a segment; no FIB without route lookups', async (t) => {
  const cases = [
    { name: 'no stats segment', stats: null, routes: undefined, source: 'cli', next: 1n, noServer: 4n, lookups: 0 },
    { name: 'no ip_route_lookup', stats: undefined, routes: null, source: 'stats', next: 10n, noServer: 0n, lookups: 0 },
  ] as const;
  for (const c of cases) {
    const { scraper, lookups, stats } = setup({ stats: c.stats, routes: c.routes });
    await scraper.scrapeOnce();
    const row = scraper.snapshot()!.vips[0]!;
    t.equal(scraper.snapshot()!.source, c.source, c.name);
    t.equal(row.next, c.next, `${c.name}: next`);
    t.equal(row.noServer, c.noServer, `${c.name}: noServer`);
    t.equal(row.fibPackets, undefined, `${c.name}: no FIB packets`);
    t.equal(row.fibBytes, undefined, `${c.name}: no FIB bytes`);
    t.equal(lookups.length, c.lookups, `${c.name}: lookups`);
    if (stats !== undefined) t.same(stats.requests[0]?.combined, [], `${c.name}: no FIB counters requested`);
  }
});

t.test('a failed scrape keeps the previous snapshot and logs at DEBUG', async (t) => {
  const { scraper, stats, lb, logger, statsErrors } = setup();
  await scraper.scrapeOnce();
  const before = scraper.snapshot();

  stats!.failure = new DaemonError('STATS_SEGMENT', 'stats segment: update in progress for more than 100 ms');
  t.equal(await scraper.scrapeOnce(), false);
  t.equal(scraper.snapshot(), before, 'same snapshot object');
  t.equal(statsErrors.length, 1, 'segment failures are reported to the connection');

  stats!.failure = undefined;
  lb.current = new Error('vpp request timed out');
  t.equal(await scraper.scrapeOnce(), false);
  t.equal(scraper.snapshot(), before);
  t.equal(statsErrors.length, 1, 'CLI failures are not segment failures');
  t.same(
    logger.records.map((r) => [r.level, r.msg, r.attrs['err']]),
    [
      ['debug', 'vpp-lb-stats-error', 'stats segment: update in progress for more than 100 ms'],
      ['debug', 'vpp-lb-stats-error', 'vpp request timed out'],
    ],
  );
});

t.test('snapshots are swapped whole, cleared on disconnect, and a late scrape cannot revive one', async (t) => {
  const { scraper, stats } = setup();
  await scraper.scrapeOnce();
  const first = scraper.snapshot()!;
  stats!.simple.get(lbCounterNames.next)!.set(0, 11n);
  await scraper.scrapeOnce();
  t.not(scraper.snapshot(), first);
  t.equal(first.vips[0]!.next, 10n, 'the old snapshot is untouched');
  t.equal(scraper.snapshot()!.vips[0]!.next, 11n);

  const inFlight = scraper.scrapeOnce();
  t.equal(scraper.scrapeOnce(), inFlight, 'a second call joins the scrape in flight');
  scraper.clear();
  t.equal(await inFlight, false, 'the scrape that raced a disconnect is dropped');
  t.equal(scraper.snapshot(), undefined);
});

t.test('start scrapes now and every 5 s after each scrape; stop ends it', async (t) => {
  const { scraper, lb, clock } = setup();
  scraper.start();
  scraper.start();
  await tick();
  t.equal(lb.calls, 1, 'first scrape immediately');
  clock.advance(4999);
  await tick();
  t.equal(lb.calls, 1);
  clock.advance(1);
  await tick();
  t.equal(lb.calls, 2, 'next one 5 s later');
  scraper.stop();
  clock.advance(60_000);
  await tick();
  t.equal(lb.calls, 2, 'stopped');
  t.equal(clock.pending, 0, 'no timer left');

  scraper.start(); // stop and start again while its first scrape is in flight: still one loop
  scraper.stop();
  scraper.start();
  await tick();
  t.equal(lb.calls, 3);
  t.equal(clock.pending, 1, 'one loop scheduled, not two');
  scraper.stop();
});
