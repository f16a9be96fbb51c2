// grpc-js's own diagnostics reach our logger as `grpc-js` records, not bare stderr lines.

import t from 'tap';
import { Server, ServerCredentials, setLogger } from '@grpc/grpc-js';
import { createServer, type AddressInfo } from 'node:net';
import { routeGrpcLogs } from '../../src/api/grpc-log.js';
import { RecordingLogger } from '../support/recording-logger.js';

t.test('a failed listen: "No address added" is a grpc-js record', async (t) => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: 0 }, r));
  const port = (holder.address() as AddressInfo).port;
  const log = new RecordingLogger({ debug: true });
  routeGrpcLogs(log);
  t.teardown(() => {
    setLogger(console);
    holder.close();
  });
  const server = new Server();
  const err = await new Promise<Error | null>((resolve) => server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (e) => resolve(e)));
  t.match(err?.message, /No address added/, 'the bind fails');
  const rec = log.named('grpc-js');
  t.ok(rec.length > 0, 'grpc-js said something');
  t.match(rec[0], { level: 'error', msg: 'grpc-js', attrs: { detail: /No address added out of total 1 resolved/ } });
  server.forceShutdown();
});
