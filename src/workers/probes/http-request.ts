// The one request an http/https probe sends, built once per target.
// Path and Host come from the config; anything that could break the request line or a header
// (controls, spaces, non-ASCII) is percent-encoded in the path and dropped from the host.

import { buildInfo } from '../../generated/build-info.js';

export const userAgent = `vpp-maglev/${buildInfo.version} (+https://git.ipng.ch/ipng/vpp-maglev)`;

/** Percent-encodes every byte outside visible ASCII, so the request line stays one line. */
function safePath(path: string): string {
  return path.replace(/[^\x21-\x7e]+/g, (run) => encodeURIComponent(run));
}

/** The request bytes for `GET path` with this Host header; keepAlive asks to keep the connection. */
export function httpRequestBytes(path: string, host: string, keepAlive = false): Buffer {
  return Buffer.from(
    `GET ${safePath(path)} HTTP/1.1\r\n` +
      `Host: ${host.replace(/[^\x21-\x7e]/g, '')}\r\n` +
      `User-Agent: ${userAgent}\r\n` +
      'Accept: */*\r\n' +
      'Accept-Encoding: identity\r\n' +
      `Connection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`,
    'latin1',
  );
}
