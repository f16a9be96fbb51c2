// protojson lines for `watch events`: lowerCamelCase names, int64 as strings, defaults omitted,
// set messages kept — checked on messages decoded by the real proto (client options).

import t from 'tap';
import type { Event, Event__Input } from '../../src/api/maglev-messages.js';
import { loadMaglevClientProto } from '../../src/api/maglev-proto.js';
import { jsonName, toProtoJson } from '../../src/maglevc/protojson.js';

const proto = loadMaglevClientProto();
const pkg = proto.definition;

/** Encodes then decodes through the WatchEvents response (de)serializers, as a client sees it. */
function roundTrip(msg: Event__Input): Event {
  const m = proto.grpc.maglev.Maglev.service.WatchEvents;
  return m.responseDeserialize(m.responseSerialize(msg));
}

void t.test('json names', (t) => {
  const cases = [
    ['at_unix_ns', 'atUnixNs'],
    ['backend_name', 'backendName'],
    ['msg', 'msg'],
    ['ip4_src_address', 'ip4SrcAddress'],
  ];
  for (const [i, want] of cases) t.equal(jsonName(i!), want);
  t.end();
});

void t.test('events as compact protojson', (t) => {
  const cases: Array<{ name: string; in: Event__Input; want: string }> = [
    {
      name: 'backend transition',
      in: { backend: { backend_name: 'b1', transition: { from: 'up', to: 'down', at_unix_ns: '1776002859123000000', code: 'L4TOUT', detail: 'x' } } },
      want: '{"backend":{"backendName":"b1","transition":{"from":"up","to":"down","atUnixNs":"1776002859123000000","code":"L4TOUT","detail":"x"}}}',
    },
    {
      name: 'empty strings and zero int64 are omitted',
      in: { frontend: { frontend_name: 'web4', transition: { from: 'up', to: 'up', at_unix_ns: '0', code: '', detail: '' } } },
      want: '{"frontend":{"frontendName":"web4","transition":{"from":"up","to":"up"}}}',
    },
    {
      name: 'log with attrs',
      in: { log: { at_unix_ns: '5', level: 'info', msg: 'backend-transition', attrs: [{ key: 'backend', value: 'b1' }, { key: 'n', value: '' }] } },
      want: '{"log":{"atUnixNs":"5","level":"info","msg":"backend-transition","attrs":[{"key":"backend","value":"b1"},{"key":"n"}]}}',
    },
    {
      name: 'no attrs: the repeated field is omitted',
      in: { log: { at_unix_ns: '5', level: 'warn', msg: 'event-drop', attrs: [] } },
      want: '{"log":{"atUnixNs":"5","level":"warn","msg":"event-drop"}}',
    },
    {
      name: 'a set but empty message stays',
      in: { backend: { backend_name: 'b', transition: {} } },
      want: '{"backend":{"backendName":"b","transition":{}}}',
    },
  ];
  for (const c of cases) t.equal(toProtoJson(pkg, 'maglev.Event', roundTrip(c.in)), c.want, c.name);
  t.throws(() => toProtoJson(pkg, 'maglev.Nope', {}), /unknown message type/);
  t.end();
});
