// The dashboard in a real headless Chromium (playwright-core driving the system browser): the SPA
// is built from src/web/ui with Vite into a temp dir, served by the dashboard against the fake
// maglevd over real gRPC. Checks: the page shows the fake's frontends; a backend failing in the
// fake shows `down` within 2 s; pause via the admin kebab menu works end to end with basic auth
// and is refused without it; the confirm dialog previews what an action would move; the
// consistency view shows two maglevds that disagree, then agree; backends whose health check
// has reuse-connection carry a keep-alive tag. Screenshots go to a temp dir
// (path printed); the README's docs/dashboard.png comes from the demo (`npm run screenshot`).
// Chromium: $MAGLEV_CHROMIUM or /usr/bin/chromium. Missing → the test FAILS with the reason.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import t from 'tap';
import { build } from 'vite';
import { createRealClock } from '../../src/shared/clock.js';
import { createSilentLogger } from '../../src/shared/log.js';
import { startDashboard } from '../../src/web/dashboard.js';
import { SpaAssets } from '../../src/web/spa-assets.js';
import { withAsWeight } from '../support/fake-control-plane.js';
import { startHarness } from '../support/grpc-harness.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const chromiumPath = process.env.MAGLEV_CHROMIUM ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function buildSpa(outDir: string): Promise<void> {
  await build({
    configFile: join(repoRoot, 'src/web/ui/vite.config.ts'),
    logLevel: 'error',
    build: { outDir, emptyOutDir: true },
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms))]);
}

/**
 * How long a wait for the page may take before the test fails. Waits end as soon as their
 * condition holds; the bound only matters when it never does, and a loaded CI box can take
 * seconds to render (timings are benchmarks' business, not tests').
 */
const settleMs = 20_000;

/** Waits (polling inside the page) until a JS expression about the DOM holds. */
function pageCondition(page: Page, expression: string, timeoutMs: number): Promise<unknown> {
  return page.waitForFunction(expression, undefined, { timeout: timeoutMs, polling: 20 });
}

/** Waits until the element's trimmed text is `want`; resolves to the ms it took. */
async function textBecomes(page: Page, testid: string, want: string, timeoutMs: number): Promise<number> {
  const start = performance.now();
  const sel = JSON.stringify(`[data-testid="${testid}"]`);
  await pageCondition(page, `document.querySelector(${sel})?.textContent?.trim() === ${JSON.stringify(want)}`, timeoutMs);
  return performance.now() - start;
}

/** Waits until the element's text contains `part`. */
function textContains(page: Page, testid: string, part: string, timeoutMs: number): Promise<unknown> {
  const sel = JSON.stringify(`[data-testid="${testid}"]`);
  return pageCondition(page, `document.querySelector(${sel})?.textContent?.includes(${JSON.stringify(part)}) === true`, timeoutMs);
}

t.test('dashboard in headless Chromium', async (t) => {
  if (!existsSync(chromiumPath)) {
    const reason = `Chromium not found at ${chromiumPath}: install the Debian package "chromium" (CI does) or point MAGLEV_CHROMIUM at a Chromium binary`;
    console.error(`# ${reason}`);
    t.fail(reason);
    return;
  }
  const spaDir = await mkdtemp(join(tmpdir(), 'maglev-dashboard-spa-'));
  t.teardown(() => rm(spaDir, { recursive: true, force: true }));
  // Kept after the run for a look (each run overwrites them).
  const shots = join(tmpdir(), 'maglev-dashboard-screenshots');
  await buildSpa(spaDir);

  const h = await startHarness(t);
  // nginx0-ams and nginx0-fra use http-healthz: with reuse-connection their rows get a tag.
  h.fake.healthchecks.set('http-healthz', { ...h.fake.getHealthCheck('http-healthz'), reuseConnection: true });
  const d = await startDashboard({
    servers: [h.address],
    listen: { host: '127.0.0.1', port: 0 },
    clock: createRealClock(),
    logger: createSilentLogger(),
    admin: { user: 'ops', password: 'pw' },
    assets: new SpaAssets(spaDir),
    timing: { probeMs: 1000, lbDebounceMs: 200 },
  });
  t.teardown(() => d.stop());
  const base = `http://127.0.0.1:${d.port}`;

  const browser: Browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true, timeout: 30_000 });
  t.teardown(() => browser.close());
  console.error(`# screenshots in ${shots}`);

  const viewer = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await viewer.newPage();
  // The refused requests below (401, 409) are deliberate; anything else logged as an error is a bug.
  const consoleErrors: string[] = [];
  const collectErrors = (p: Page): void => {
    p.on('console', (m) => {
      if (m.type() === 'error' && !/status of (401|409)/.test(m.text())) consoleErrors.push(m.text());
    });
    p.on('pageerror', (e) => consoleErrors.push(e.message));
  };
  collectErrors(page);

  await t.test('the page loads with the fake maglevd frontends', async (t) => {
    const res = await page.goto(`${base}/view/`);
    t.equal(res?.status(), 200);
    await page.waitForSelector('[data-testid="frontend-card-web6"]', { timeout: settleMs });
    const names = await Promise.all((await page.locator('[data-testid^="frontend-card-"]').all()).map((l) => l.getAttribute('data-testid')));
    t.same(names, ['frontend-card-web4', 'frontend-card-web6'], 'cards in ListFrontends order');
    t.ok(await page.$(`[data-testid="scope-tab-${h.address}"]`), 'scope tab');
    t.equal((await page.$('[data-testid="backend-row-web4-primary-nginx0-ams"]')) === null, true, 'cards are closed by default');
    await page.click('[data-testid="frontend-toggle-web4"]');
    await page.waitForSelector('[data-testid="backend-row-web4-primary-nginx0-ams"]');
    t.equal((await page.textContent('[data-testid="backend-state-web4-primary-nginx0-ams"]'))?.trim(), 'up');
    t.equal((await page.textContent('[data-testid="backend-state-web4-primary-nginx0-fra"]'))?.trim(), 'down');
    const reuseTags = await Promise.all((await page.locator('[data-testid^="backend-reuse-web4-"]').all()).map((l) => l.getAttribute('data-testid')));
    t.same(reuseTags, ['backend-reuse-web4-primary-nginx0-ams', 'backend-reuse-web4-primary-nginx0-fra'], 'keep-alive tags on the reuse-connection check\'s backends only');
    await textBecomes(page, 'live', '● live', settleMs);
    t.equal((await page.textContent('[data-testid="vpp-badge"]'))?.trim(), 'connected');
    await page.screenshot({ path: join(shots, 'view-loaded.png'), fullPage: true });
  });

  await t.test('a failing backend is shown down, live', async (t) => {
    h.fake.transition('nginx0-ams', 'down', 'L4TOUT', 'timeout after 1s during connect', Date.now());
    const ms = await textBecomes(page, 'backend-state-web4-primary-nginx0-ams', 'down', settleMs);
    t.pass(`shown down after ${Math.round(ms)} ms`);
    await textBecomes(page, 'frontend-state-web4', 'down', settleMs);
    await textBecomes(page, 'backend-effective-web4-primary-nginx0-ams', '0', settleMs);
    await page.screenshot({ path: join(shots, 'view-backend-down.png'), fullPage: true });
    // Back up, for the admin part.
    h.fake.transition('nginx0-ams', 'up', 'L7OK', 'HTTP 200', Date.now());
    await textBecomes(page, 'backend-state-web4-primary-nginx0-ams', 'up', settleMs);
  });

  await t.test('probe heartbeat and VPP API arrows follow the debug records', async (t) => {
    const beat = JSON.stringify('[data-testid="backend-row-web4-primary-nginx0-ams"] td.beat');
    h.fake.log('debug', 'probe-start', [['backend', 'nginx0-ams'], ['type', 'http']], Date.now());
    await pageCondition(page, `document.querySelector(${beat})?.textContent === '❤️'`, settleMs);
    h.fake.log('debug', 'probe-done', [['backend', 'nginx0-ams'], ['ok', 'true'], ['code', 'L7OK']], Date.now());
    await pageCondition(page, `document.querySelector(${beat})?.textContent === '·'`, settleMs);
    h.fake.log('debug', 'vpp-api-send', [['vpp_msg', 'lb_as_set_weight']], Date.now());
    await pageCondition(page, `document.querySelector('[data-testid="api-send"]')?.classList.contains('api-on') === true`, settleMs);
    // The flash is 250 ms long.
    await pageCondition(page, `document.querySelector('[data-testid="api-send"]')?.classList.contains('api-on') === false`, settleMs);
    t.pass('heartbeat and API flash seen');
  });

  await t.test('admin actions are refused without credentials', async (t) => {
    // credentials: 'omit', because a credentialed request answered 401 would open the browser's
    // login prompt, which never resolves in headless mode.
    const status = await withTimeout(
      page.evaluate(async (name) => {
        const r = await fetch(`/admin/api/${encodeURIComponent(name)}/backend/nginx0-fra/pause`, {
          method: 'POST',
          credentials: 'omit',
          headers: { 'Content-Type': 'application/json' },
          body: '{}',
        });
        return r.status;
      }, h.address),
      5000,
    );
    t.equal(status, 401);
    const other = await viewer.newPage();
    // Without credentials to offer, Chromium gives up on the challenge.
    await t.rejects(other.goto(`${base}/admin/`, { timeout: 5000 }), /ERR_INVALID_AUTH_CREDENTIALS/, '/admin/ needs credentials');
    await other.close();
    t.notOk(h.fake.calls.some((c) => c.startsWith('pause')), 'nothing reached maglevd');
  });

  await t.test('pause through the kebab menu, end to end with basic auth', async (t) => {
    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, httpCredentials: { username: 'ops', password: 'pw' } });
    t.teardown(() => admin.close());
    const ap = await admin.newPage();
    collectErrors(ap);
    const res = await ap.goto(`${base}/admin/`);
    t.equal(res?.status(), 200);
    await ap.waitForSelector('[data-testid="frontend-card-web4"]', { timeout: settleMs });
    // A new context has its own cookies: every card starts closed again.
    await ap.click('[data-testid="frontend-toggle-web4"]');
    await ap.click('[data-testid="frontend-toggle-web6"]');
    await ap.waitForSelector('[data-testid="backend-row-web4-primary-nginx0-fra"]');
    await ap.click('[data-testid="menu-web4-primary-nginx0-fra"]');
    await ap.click('[data-testid="backend-row-web4-primary-nginx0-fra"] [data-testid="menu-item-pause"]');
    await ap.waitForSelector('[data-testid="action-dialog"][open]');
    await ap.click('[data-testid="action-confirm"]');
    await textBecomes(ap, 'backend-state-web4-primary-nginx0-fra', 'paused', settleMs);
    t.ok(h.fake.calls.includes('pause nginx0-fra'), 'PauseBackend reached maglevd');
    // The stream can show `paused` before the RPC's answer reaches the page; the dialog closes
    // on that answer, so wait for it rather than read it at once.
    await pageCondition(ap, `document.querySelector('[data-testid="action-dialog"][open]') === null`, settleMs);
    t.pass('dialog closed after success');
    // The event log shows the daemon's records (a plausible sequence, also for the screenshot).
    const records: Array<[string, string, Array<[string, string]>]> = [
      ['info', 'backend-transition', [['backend', 'nginx0-ams'], ['from', 'up'], ['to', 'down'], ['code', 'L4TOUT'], ['detail', 'timeout after 1s during connect']]],
      ['info', 'vpp-lb-as-weight', [['vip', '198.51.100.1/32'], ['address', '192.0.2.10'], ['weight', '0']]],
      ['info', 'backend-transition', [['backend', 'nginx0-ams'], ['from', 'down'], ['to', 'up'], ['code', 'L7OK'], ['detail', 'HTTP 200']]],
      ['info', 'vpp-lb-as-weight', [['vip', '198.51.100.1/32'], ['address', '192.0.2.10'], ['weight', '100']]],
      ['info', 'backend-pause', [['backend', 'nginx0-fra']]],
      ['info', 'vpp-lb-sync-done', [['scope', 'vip'], ['counts', 'as_weight=1'], ['elapsed', '1.2ms']]],
    ];
    for (const [level, msg, attrs] of records) h.fake.log(level as 'info', msg, attrs, Date.now());
    await textContains(ap, 'event-log', 'vpp-lb-sync-done', settleMs);
    // A refused action shows the server's error in the dialog.
    await ap.click('[data-testid="menu-web4-fallback-nginx1-zrh"]');
    await ap.click('[data-testid="backend-row-web4-fallback-nginx1-zrh"] [data-testid="menu-item-pause"]');
    await ap.click('[data-testid="action-confirm"]');
    await textBecomes(ap, 'action-error', 'backend "nginx1-zrh" is disabled', settleMs);
    await ap.screenshot({ path: join(shots, 'admin-dialog-error.png') });
    await ap.keyboard.press('Escape');
    await ap.waitForTimeout(300);
    await ap.screenshot({ path: join(shots, 'admin.png'), fullPage: true });
  });

  await t.test('the confirm dialog shows what the action would move before it is confirmed', async (t) => {
    const admin = await browser.newContext({ viewport: { width: 1280, height: 900 }, httpCredentials: { username: 'ops', password: 'pw' } });
    t.teardown(() => admin.close());
    const ap = await admin.newPage();
    collectErrors(ap);
    await ap.goto(`${base}/admin/`);
    await ap.waitForSelector('[data-testid="frontend-card-web4"]', { timeout: settleMs });
    await ap.click('[data-testid="frontend-toggle-web4"]');
    await ap.waitForSelector('[data-testid="backend-row-web4-primary-nginx0-ams"]');
    h.fake.calls.length = 0;
    // Pause: nginx0-ams is the only AS of both VIPs, so every bucket of each moves.
    await ap.click('[data-testid="menu-web4-primary-nginx0-ams"]');
    await ap.click('[data-testid="backend-row-web4-primary-nginx0-ams"] [data-testid="menu-item-pause"]');
    await pageCondition(ap, `document.querySelector('[data-testid="action-preview"]')?.dataset.state === 'ready'`, settleMs);
    t.same(await ap.locator('[data-testid="action-preview"] p').allTextContents(), [
      "moves 100.0 % of web4's new flows: nginx0-ams 1024→0",
      "moves 100.0 % of web6's new flows: nginx0-ams 1024→0",
    ]);
    await ap.screenshot({ path: join(shots, 'admin-dialog-preview.png') });
    await ap.keyboard.press('Escape');
    // Set weight: the figure follows the weight typed, before anything is confirmed.
    await ap.click('[data-testid="menu-web4-primary-nginx0-ams"]');
    await ap.click('[data-testid="backend-row-web4-primary-nginx0-ams"] [data-testid="menu-item-weight"]');
    await textBecomes(ap, 'action-preview', "moves 0.0 % of web4's new flows", settleMs);
    await ap.fill('[data-testid="weight-input"]', '0');
    await textBecomes(ap, 'action-preview', "moves 100.0 % of web4's new flows: nginx0-ams 1024→0", settleMs);
    await ap.keyboard.press('Escape');
    t.same(h.fake.calls, ['preview pause', 'preview weight web4', 'preview weight web4'], 'previews only: nothing was applied');
  });

  await t.test('the consistency view with two maglevds that disagree', async (t) => {
    const a = await startHarness(t);
    const b = await startHarness(t);
    // A sees nginx0-fra up and programs it; B sees it down and does not.
    a.fake.transition('nginx0-fra', 'up', 'L7OK', 'HTTP 200', Date.now());
    a.fake.lbState = withAsWeight(a.fake.lbState, '192.0.2.11', 100);
    const two = await startDashboard({
      servers: [a.address, b.address],
      listen: { host: '127.0.0.1', port: 0 },
      clock: createRealClock(),
      logger: createSilentLogger(),
      admin: undefined,
      assets: new SpaAssets(spaDir),
      consistencyGraceMs: 1000,
      timing: { probeMs: 1000, lbDebounceMs: 100, refreshMs: 500 },
    });
    t.teardown(() => two.stop());
    const cp = await viewer.newPage();
    collectErrors(cp);
    await cp.goto(`http://127.0.0.1:${two.port}/view/`);
    const row = '198.51.100.1:80/tcp';
    await textContains(cp, `consistency-text-${row}`, `host ${b.address} differs from ${a.address} on `, settleMs);
    t.match(await cp.textContent(`[data-testid="consistency-text-${row}"]`), new RegExp(`on \\d+\\.\\d % of buckets \\(nginx0-fra down on ${b.address.replaceAll('.', '\\.')} only\\)$`));
    t.equal((await cp.textContent('[data-testid="consistency-text-[2001:db8::1]:*/any"]'))?.trim(), '2/2 hosts agree');
    await textBecomes(cp, `consistency-state-${row}`, 'diverged', settleMs);
    await cp.screenshot({ path: join(shots, 'view-consistency.png'), fullPage: true });
    // B catches up: its next lb read brings the hosts back into agreement, live.
    b.fake.transition('nginx0-fra', 'up', 'L7OK', 'HTTP 200', Date.now());
    b.fake.lbState = withAsWeight(b.fake.lbState, '192.0.2.11', 100);
    await textBecomes(cp, `consistency-text-${row}`, '2/2 hosts agree', settleMs);
    t.equal((await cp.textContent(`[data-testid="consistency-state-${row}"]`))?.trim(), 'agree');
    await cp.close();
  });

  t.same(consoleErrors, [], 'no console errors in the page');
});

