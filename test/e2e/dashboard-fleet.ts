// End to end: the dashboard against the real stack (issue 6). A test fleet of three HTTP
// backends, the BUILT maglevd probing them (VPP disabled), the dashboard server on maglevd's gRPC
// address serving the built SPA (dist/web/ui), and headless Chromium on /view/. The page shows
// the frontend and its backends up; a fleet backend switched to `down` (listeners closed) is
// shown `down`: one 200 ms probe interval (fall 1) plus the event path, under 2 s on a quiet box.
// The latency is printed and only bounded at 10 s (a loaded CI box is slow; a lost event is not); screenshots go to os.tmpdir(). Chromium: $MAGLEV_CHROMIUM or /usr/bin/chromium;
// missing → the test FAILS with the reason. Requires `npm run build`.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import t from 'tap';
import { startFleet } from '../../src/fleet/fleet.js';
import { createRealClock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { defaultSpaDir } from '../../src/web/spa-assets.js';
import { labConfig } from '../support/e2e-lab.js';
import { spawnMaglevd } from '../support/maglevd-process.js';

const chromiumPath = process.env.MAGLEV_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const backends = { b1: '127.0.7.1', b2: '127.0.7.2', b3: '127.0.7.3' } as const;
/**
 * How long a wait for the page may take before the test fails: waits end as soon as their
 * condition holds, and a loaded CI box can take seconds to probe and render. How fast a
 * transition reaches the page is printed, not asserted (timings are benchmarks' business).
 */
const settleMs = 20_000;

/** Waits until the element's trimmed text is `want`; resolves to performance.now() when seen. */
async function textBecomes(page: Page, testid: string, want: string, timeoutMs: number): Promise<number> {
  const sel = JSON.stringify(`[data-testid="${testid}"]`);
  await page.waitForFunction(`document.querySelector(${sel})?.textContent?.trim() === ${JSON.stringify(want)}`, undefined, { timeout: timeoutMs, polling: 20 });
  return performance.now();
}

/** maglevd's config: one frontend over the three fleet backends, http checks every 200 ms, rise 2, fall 1. */
function config(checkPort: number): string {
  const doc = JSON.parse(
    labConfig({
      checkPort,
      backends: { ...backends },
      frontends: { web: { address: '192.0.2.60', protocol: 'tcp', port: 80, pools: [['primary', { b1: 100, b2: 100, b3: 50 }]] } },
    }),
  ) as { maglev: { healthchecks: { http: Record<string, unknown> } } };
  Object.assign(doc.maglev.healthchecks.http, { interval: '200ms', 'fast-interval': '100ms', 'down-interval': '200ms', timeout: '1s', rise: 2, fall: 1 });
  return `${JSON.stringify(doc, null, 2)}\n`;
}

t.test('the dashboard shows a fleet backend down, live', async (t) => {
  if (!existsSync(chromiumPath)) {
    const reason = `Chromium not found at ${chromiumPath}: install the Debian package "chromium" (CI does) or point MAGLEV_CHROMIUM at a Chromium binary`;
    console.error(`# ${reason}`);
    t.fail(reason);
    return;
  }
  if (!existsSync(join(defaultSpaDir(), 'index.html'))) {
    t.fail(`the dashboard app is not built (${defaultSpaDir()}): run \`npm run build\` first`);
    return;
  }
  const shots = join(tmpdir(), 'maglev-dashboard-fleet-screenshots');
  await mkdir(shots, { recursive: true });

  const fleet = await startFleet({ httpPort: 0, backends: Object.values(backends) });
  t.teardown(() => fleet.close());
  const d = await spawnMaglevd({ config: config(fleet.httpPort) });
  t.teardown(() => d.stop('SIGTERM'));
  const dash = await startDashboard({
    servers: [d.grpcAddr],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: createSilentLogger(),
    admin: undefined,
    timing: { probeMs: 1000, lbDebounceMs: 200 },
  });
  t.teardown(() => dash.stop());
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 30_000 });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));

  const res = await page.goto(`http://127.0.0.1:${dash.port}/view/`);
  t.equal(res?.status(), 200, '/view/ served');
  await page.waitForSelector('[data-testid="frontend-card-web"]', { timeout: settleMs });
  await page.click('[data-testid="frontend-toggle-web"]');
  for (const name of Object.keys(backends)) await textBecomes(page, `backend-state-web-primary-${name}`, 'up', 10_000);
  t.pass('the page shows every fleet backend up');
  await textBecomes(page, 'frontend-state-web', 'up', settleMs);
  t.pass('and the frontend up');
  t.equal((await page.textContent('[data-testid="backend-effective-web-primary-b3"]'))?.trim(), '50', 'effective weight of an up backend');
  await textBecomes(page, 'live', '● live', settleMs);
  await page.screenshot({ path: join(shots, 'fleet-all-up.png'), fullPage: true });

  const tDown = performance.now();
  await fleet.set(backends.b2, { kind: 'down' });
  const seen = await textBecomes(page, 'backend-state-web-primary-b2', 'down', settleMs);
  const latency = Math.round(seen - tDown);
  t.ok(latency < 10_000, `shown down on the page ${latency} ms after the fleet backend went down`);
  // Logs are written asynchronously, so the line may trail the page by a moment.
  const transition = await d.waitForLog((l) => l.msg === 'backend-transition' && l.backend === 'b2' && l.to === 'down', 5000).catch(() => undefined);
  t.ok(transition !== undefined, 'maglevd logged the transition');
  await textBecomes(page, 'backend-effective-web-primary-b2', '0', settleMs);
  for (const name of ['b1', 'b3']) t.equal((await page.textContent(`[data-testid="backend-state-web-primary-${name}"]`))?.trim(), 'up', `${name} still up`);
  const shot = join(shots, 'fleet-backend-down.png');
  await page.screenshot({ path: shot, fullPage: true });
  console.error(`# screenshots in ${shots}`);
  t.same(pageErrors, [], 'no console errors in the page');
});
