// Test helper: a typed HealthCheck with the config loader's defaults, for executor tests.

import type { HealthCheck, HealthCheckType, HttpCheckParams, TcpCheckParams } from '../../src/shared/config.js';

export function healthCheck(type: HealthCheckType, port: number, more: Partial<HealthCheck> = {}, params: Partial<HttpCheckParams & TcpCheckParams> = {}): HealthCheck {
  const http: HttpCheckParams | undefined =
    type === 'http' || type === 'https'
      ? { path: '/', host: undefined, responseCodeMin: 200, responseCodeMax: 399, responseRegexp: undefined, serverName: undefined, insecureSkipVerify: false, ...params }
      : undefined;
  const tcp: TcpCheckParams | undefined = type === 'tcp' ? { ssl: false, serverName: undefined, insecureSkipVerify: false, ...params } : undefined;
  return {
    name: `${type}-check`,
    type,
    port: type === 'icmp' ? 0 : port,
    intervalMs: 1000,
    fastIntervalMs: 1000,
    downIntervalMs: 1000,
    timeoutMs: 3000, // generous for busy CI; tests that want timeouts set their own
    rise: 2,
    fall: 3,
    probeIpv4Src: undefined,
    probeIpv6Src: undefined,
    http,
    tcp,
    ...more,
  };
}
