// Regenerates docs/dashboard.png, the README's screenshot, from the real demo (`npm run
// screenshot`): starts maglev-demo (simulator, fleet, maglevd with examples/maglev-demo.yaml and
// the dashboard with its admin page), waits until every backend is up, takes web-1 down through
// the fleet so the picture shows a degraded frontend, a down backend and the event log, and
// shoots the admin page in headless Chromium. Needs `npm run build`, root (the simulator's VIPs
// bind 127.0.9.x:80), Chromium ($MAGLEV_CHROMIUM or /usr/bin/chromium) and an emoji font
// (Debian: fonts-noto-color-emoji) for the frontend health icons.

/* global fetch, document -- Node's fetch; document inside the page */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../', import.meta.url));
const chromiumPath = process.env.MAGLEV_CHROMIUM ?? '/usr/bin/chromium';
const base = Number(process.env.MAGLEV_DEMO_BASE_PORT ?? 9190);
const out = new URL('../docs/dashboard.png', import.meta.url);
const dashboard = `http://127.0.0.1:${base + 2}`;
const fleet = `http://127.0.0.1:${base + 9}`;
const user = 'ops';
const password = randomBytes(12).toString('hex');

if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (Debian: chromium; or set MAGLEV_CHROMIUM)`);

const demo = spawn(process.execPath, ['bin/maglev-demo.js', '--base-port', String(base)], {
  cwd: root,
  env: { ...process.env, MAGLEV_FRONTEND_USER: user, MAGLEV_FRONTEND_PASSWORD: password },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
demo.stdout.on('data', (d) => (output += d.toString()));
const exited = new Promise((resolve) => demo.once('exit', resolve));

async function until(what, cond, ms) {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (demo.exitCode !== null) throw new Error(`the demo exited (${demo.exitCode}) while waiting for ${what}:\n${output}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'], headless: true });
try {
  await until('the demo to be up', () => /dashboard: +http/.test(output), 30_000);
  const answers = () => fetch(`${dashboard}/view/`).then((r) => r.ok, () => false);
  await until('the dashboard to answer', answers, 30_000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, httpCredentials: { username: user, password } });
  const page = await context.newPage();
  await page.goto(`${dashboard}/admin/`);
  await page.waitForSelector('[data-testid^="frontend-card-"]');
  for (const toggle of await page.locator('[data-testid^="frontend-toggle-"]').all()) await toggle.click();
  // Every backend up (static ones are at once; probed ones after their rise).
  const states = () => page.locator('[data-testid^="backend-state-"]').allTextContents();
  await until('every backend up', async () => (await states()).every((s) => s.trim() === 'up'), 30_000);
  const res = await fetch(`${fleet}/backends/127.0.1.1`, { method: 'PUT', body: '{"kind":"down"}' });
  if (!res.ok) throw new Error(`fleet control: HTTP ${res.status}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="backend-state-web-primary-web-1"]')?.textContent?.trim() === 'down', undefined, { timeout: 30_000 });
  await page.waitForTimeout(3000); // the lb-state read after the transition: the icon settles, the buckets move
  await page.screenshot({ path: fileURLToPath(out), fullPage: true });
  console.log(`wrote ${fileURLToPath(out)}`);
} finally {
  await browser.close();
  demo.kill('SIGINT');
  await exited;
}
