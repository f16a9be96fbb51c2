import t from 'tap';
import { checkSameOrigin } from '../../src/web/same-origin.js';

t.test('admin POSTs need a same-origin proof and a JSON body', async (t) => {
  const host = '127.0.0.1:9092';
  const json = 'application/json';
  const cases = [
    { name: 'same Origin', in: { host, origin: `http://${host}`, secFetchSite: undefined, contentType: json }, ok: true },
    { name: 'same Origin behind TLS proxy', in: { host, origin: `https://${host}`, secFetchSite: undefined, contentType: 'application/json; charset=utf-8' }, ok: true },
    { name: 'Sec-Fetch-Site only', in: { host, origin: undefined, secFetchSite: 'same-origin', contentType: json }, ok: true },
    { name: 'both, consistent', in: { host, origin: `http://${host}`, secFetchSite: 'same-origin', contentType: json }, ok: true },
    { name: 'foreign Origin', in: { host, origin: 'http://evil.example', secFetchSite: undefined, contentType: json }, ok: false },
    { name: 'Origin on another port', in: { host, origin: 'http://127.0.0.1:8080', secFetchSite: undefined, contentType: json }, ok: false },
    { name: 'Origin null', in: { host, origin: 'null', secFetchSite: undefined, contentType: json }, ok: false },
    { name: 'cross-site fetch metadata', in: { host, origin: `http://${host}`, secFetchSite: 'cross-site', contentType: json }, ok: false },
    { name: 'same-site is not same-origin', in: { host, origin: undefined, secFetchSite: 'same-site', contentType: json }, ok: false },
    { name: 'no proof at all (e.g. curl)', in: { host, origin: undefined, secFetchSite: undefined, contentType: json }, ok: false },
    { name: 'form post', in: { host, origin: `http://${host}`, secFetchSite: 'same-origin', contentType: 'application/x-www-form-urlencoded' }, ok: false },
    { name: 'text/plain (simple request)', in: { host, origin: `http://${host}`, secFetchSite: undefined, contentType: 'text/plain' }, ok: false },
    { name: 'no content type', in: { host, origin: `http://${host}`, secFetchSite: undefined, contentType: undefined }, ok: false },
  ];
  for (const c of cases) {
    const v = checkSameOrigin(c.in);
    t.equal(v.ok, c.ok, c.name);
    if (!v.ok) t.match(v.error, /^cross-site request refused/, `${c.name}: message`);
  }
});
