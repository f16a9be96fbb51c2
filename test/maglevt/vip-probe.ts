import http from 'node:http';
import net from 'node:net';
import t from 'tap';
import { createVipProbe, defaultHost, type ProbeSettings } from '../../src/maglevt/vip-probe.js';
import type { VipTarget } from '../../src/maglevt/vip-target.js';

const settings: ProbeSettings = { uri: '/', host: undefined, header: 'X-Backend', insecure: false, keepalive: false, timeoutMs: 3000, userAgent: 'maglevt/test' };

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return (server.address() as net.AddressInfo).port;
}

async function close(server: http.Server | net.Server): Promise<void> {
  if (server instanceof http.Server) server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

t.test('defaultHost', async (t) => {
  const cases: { in: Pick<VipTarget, 'address' | 'port' | 'kind'>; want: string }[] = [
    { in: { address: '192.0.2.1', port: 80, kind: 'http' }, want: '192.0.2.1' },
    { in: { address: '192.0.2.1', port: 443, kind: 'https' }, want: '192.0.2.1' },
    { in: { address: '192.0.2.1', port: 8080, kind: 'http' }, want: '192.0.2.1:8080' },
    { in: { address: '192.0.2.1', port: 80, kind: 'https' }, want: '192.0.2.1:80' },
    { in: { address: '2001:db8::1', port: 443, kind: 'https' }, want: '[2001:db8::1]' },
    { in: { address: '2001:db8::1', port: 8443, kind: 'https' }, want: '[2001:db8::1]:8443' },
  ];
  for (const c of cases) t.equal(defaultHost(c.in), c.want, c.want);
});

t.test('n/a targets have no prober', async (t) => {
  t.equal(createVipProbe({ name: 'all', address: '192.0.2.9', protocol: 'any', port: 0, kind: 'n/a' }, settings), undefined);
});

t.test('HTTP probe: status, header (case-insensitive name, repeated values joined), user agent', async (t) => {
  let agent = '';
  const server = http.createServer((req, res) => {
    agent = req.headers['user-agent'] ?? '';
    res.statusCode = 404;
    res.setHeader('x-backend', ['a', 'b']);
    res.end('nope');
  });
  t.teardown(() => close(server));
  const port = await listen(server);
  const probe = createVipProbe({ name: 'web', address: '127.0.0.1', protocol: 'tcp', port, kind: 'http' }, { ...settings, timeoutMs: 5000 })!;
  const s = await probe.run();
  t.match(s, { type: 'http', status: 404, header: 'a, b' });
  t.ok(s.latencyMs > 0 && s.latencyMs < 5000, 'latency measured');
  t.equal(agent, 'maglevt/test');
  probe.close();
});

t.test('timeout, and close() ends a probe in flight', async (t) => {
  const server = http.createServer(() => undefined);
  t.teardown(() => close(server));
  const port = await listen(server);
  const probe = createVipProbe({ name: 'slow', address: '127.0.0.1', protocol: 'tcp', port, kind: 'http' }, { ...settings, timeoutMs: 100 })!;
  const s = await probe.run();
  t.equal(s.type, 'timeout');
  t.ok(s.latencyMs >= 99 && s.latencyMs < 3000, `deadline kept (${s.latencyMs.toFixed(1)}ms)`);
  const long = createVipProbe({ name: 'slow', address: '127.0.0.1', protocol: 'tcp', port, kind: 'http' }, { ...settings, timeoutMs: 10_000 })!;
  const pending = long.run();
  await new Promise((resolve) => setTimeout(resolve, 50));
  long.close();
  t.match(await pending, { type: 'error', code: 'ESTOPPED' }, 'the cancelled probe resolves');
});

t.test('TCP probe: connect, refused, close in flight', async (t) => {
  const server = net.createServer((s) => s.destroy());
  t.teardown(() => close(server));
  const port = await listen(server);
  const probe = createVipProbe({ name: 'smtp', address: '127.0.0.1', protocol: 'tcp', port, kind: 'tcp' }, settings)!;
  t.match(await probe.run(), { type: 'tcp' });
  const spare = net.createServer();
  const refusedPort = await listen(spare);
  await close(spare);
  const refused = createVipProbe({ name: 'x', address: '127.0.0.1', protocol: 'tcp', port: refusedPort, kind: 'tcp' }, settings)!;
  t.match(await refused.run(), { type: 'error', code: 'ECONNREFUSED' });
  const pending = probe.run();
  probe.close();
  t.match(await pending, { type: 'error', code: 'ESTOPPED' });
});

t.test('IPv6 VIP: bracketed default Host', async (t) => {
  let host = '';
  const server = http.createServer((req, res) => {
    host = req.headers.host ?? '';
    res.end('ok');
  });
  t.teardown(() => close(server));
  try {
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen({ host: '::1', port: 0 }, resolve));
  } catch (e) {
    t.comment(`skipped: no IPv6 loopback on this machine: ${(e as Error).message}`);
    return;
  }
  const port = (server.address() as net.AddressInfo).port;
  const probe = createVipProbe({ name: 'web6', address: '::1', protocol: 'tcp', port, kind: 'http' }, settings)!;
  t.match(await probe.run(), { type: 'http', status: 200 });
  t.equal(host, `[::1]:${port}`);
});
