// The interactive shell driven through a PassThrough stdin in readline terminal mode: the
// version banner and prompt, Tab completion of keywords and live names, `?` help (echo, list,
// redraw without `?`), prefix matching, red errors, Ctrl-C, history (file and Up arrow),
// `watch events` stopped by a key, and leaving with quit or Ctrl-D.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t, { type Test } from 'tap';
import { main, versionLine } from '../../src/maglevc/maglevc.js';
import { T0 } from '../support/fake-control-plane.js';
import { startHarness, type Harness } from '../support/grpc-harness.js';
import { until, waitFor } from '../support/wait-for.js';

// Cursor movement and colour escapes, stripped to read the output as text.
// eslint-disable-next-line no-control-regex
const controls = /\x1b\[[0-9;?]*[A-HJKSTfGm]/g;
// eslint-disable-next-line no-control-regex
const movement = /\x1b\[[0-9;?]*[A-HJKSTfG]/g;

interface Session {
  readonly home: string;
  /** Everything written so far, without cursor movement (colour escapes kept). */
  raw(): string;
  /** Everything written so far, without any escapes. */
  text(): string;
  type(s: string): void;
  waitFor(needle: string | RegExp, from?: number): Promise<void>;
  done: Promise<number>;
}

let h: Harness;
t.before(async () => {
  h = await startHarness(t);
});

function shell(t: Test, home = t.testdir()): Session {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = main(['--server', h.address], { HOME: home }, { stdin, stdout, stderr: new PassThrough(), terminal: true, now: () => T0 });
  const text = (): string => out.replace(controls, '').replace(/\r/g, '');
  return {
    home,
    raw: () => out.replace(movement, ''),
    text,
    type: (s) => stdin.write(s),
    done,
    async waitFor(needle, from = 0) {
      const hit = (): boolean => {
        const s = text().slice(from);
        return typeof needle === 'string' ? s.includes(needle) : needle.test(s);
      };
      await until(hit, () => `${String(needle)} in:\n${text().slice(from)}`);
    },
  };
}

void t.test('banner, Tab completion of keywords and live names, prefix commands', async (t) => {
  const s = shell(t);
  await s.waitFor(`${versionLine()}\nmaglevc> `);
  s.type('sh\t');
  await s.waitFor('maglevc> show ');
  s.type('fr\t');
  await s.waitFor('maglevc> show frontends ');
  s.type('w\t');
  await s.waitFor('maglevc> show frontends web'); // web4 and web6: the common prefix only
  s.type('4\r');
  await s.waitFor('  flush-on-down  true');
  let mark = s.text().length;
  s.type('show backends nginx0-f\t');
  await s.waitFor('show backends nginx0-fra ', mark);
  s.type('\r');
  await s.waitFor('backend nginx0-fra', mark);
  mark = s.text().length;
  s.type('set frontend web4 pool f\t');
  await s.waitFor('pool fallback ', mark);
  s.type('b\t');
  await s.waitFor('pool fallback backend ', mark);
  s.type('\t');
  await s.waitFor('pool fallback backend nginx1-zrh ', mark);
  s.type('\x15'); // Ctrl-U: clear the line
  mark = s.text().length;
  s.type('sh fr\r');
  await s.waitFor('web6  2001:db8::1   any       0     up', mark);
  s.type('quit\r');
  t.equal(await s.done, 0);
});

void t.test('? lists the next tokens with help and redraws the line without ?', async (t) => {
  const s = shell(t);
  await s.waitFor('maglevc> ');
  let mark = s.text().length;
  s.type('show ?');
  await s.waitFor('  vpp           VPP dataplane\nmaglevc> show ', mark);
  const shown = s.text().slice(mark);
  t.ok(shown.startsWith('show ?\n  version       client version, commit and build date\n'), 'the line is echoed with its ?, then the candidates');
  t.notMatch(shown.slice(shown.lastIndexOf('maglevc> ')), /\?/, 'the redrawn line has no ?');
  s.type('v?');
  await s.waitFor('  vpp      VPP dataplane\nmaglevc> show v', mark);
  t.ok(s.text().slice(mark).includes('show v?\n  version  client version, commit and build date\n  vpp      VPP dataplane\n'), 'a partial word lists its matches');
  s.type('pp info\r');
  await s.waitFor('vpp-pid       4242', mark);
  mark = s.text().length;
  s.type('set frontend web4 pool primary backend nginx0-ams weight ?');
  await s.waitFor('  <0-100>  configured weight\n', mark);
  s.type('\x15quit\r');
  t.equal(await s.done, 0);
});

void t.test('errors are the server message in red; parse errors too', async (t) => {
  const s = shell(t);
  await s.waitFor('maglevc> ');
  s.type('show backends nope\r');
  await s.waitFor('backend "nope" not found');
  t.ok(s.raw().includes('\x1b[31mbackend "nope" not found\x1b[0m'));
  s.type('s\r');
  await s.waitFor('ambiguous command "s": set, show, sync');
  s.type('show frontends web4\r');
  await s.waitFor('flush-on-down');
  t.ok(s.raw().includes('\x1b[34mfrontend\x1b[0m web4'), 'colour is on in the shell');
  s.type('\x04'); // Ctrl-D on an empty line
  t.equal(await s.done, 0);
});

void t.test('Ctrl-C clears the line and keeps the shell', async (t) => {
  const s = shell(t);
  await s.waitFor('maglevc> ');
  s.type('show fronte');
  await s.waitFor('maglevc> show fronte');
  const mark = s.text().length;
  s.type('\x03');
  await s.waitFor('^C\n', mark);
  s.type('show version\r');
  await s.waitFor(`${versionLine()}\n`, mark);
  t.notMatch(s.text().slice(mark), /show fronteshow/, 'the old text was cleared');
  s.type('quit\r');
  t.equal(await s.done, 0);
});

void t.test('history: written to ~/.maglevc_history, loaded, and recalled with Up', async (t) => {
  const home = t.testdir();
  writeFileSync(join(home, '.maglevc_history'), 'show vpp info\n');
  const s = shell(t, home);
  await s.waitFor('maglevc> ');
  s.type('\x1b[A\r'); // Up: the entry from the file
  await s.waitFor('vpp-pid       4242');
  s.type('show version\r');
  await s.waitFor(`maglevc> show version\n${versionLine()}`);
  s.type('sh fr\r');
  await s.waitFor('web6  2001:db8::1');
  s.type('quit\r');
  t.equal(await s.done, 0);
  t.equal(readFileSync(join(home, '.maglevc_history'), 'utf8'), 'show vpp info\nshow version\nsh fr\nquit\n');
});

void t.test('watch events in the shell stops on any key', async (t) => {
  const s = shell(t);
  await s.waitFor('maglevc> ');
  s.type('watch events backend\r');
  await s.waitFor('"backendName":"nginx1-zrh"');
  t.equal(h.fake.hub.size, 1);
  const mark = s.text().length;
  s.type('x');
  await s.waitFor('maglevc> ', mark);
  await waitFor(() => h.fake.hub.size === 0, 1000);
  t.equal(h.fake.hub.size, 0, 'the stream was cancelled');
  s.type('show version\r');
  await s.waitFor(`maglevc> show version\n${versionLine()}`, mark);
  s.type('exit\r');
  t.equal(await s.done, 0);
});

void t.test('piped input: commands run in order, no prompts, trailing ? prints help', async (t) => {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = main(['--server', h.address, '--color=false'], { HOME: t.testdir() }, { stdin, stdout, stderr: new PassThrough() });
  stdin.end('show frontends\nconfig ?\nshow backends nope\n');
  t.equal(await done, 0, 'end of input leaves the shell');
  t.equal(
    out,
    `${versionLine()}\n` +
      'name  address       protocol  port  state\nweb4  198.51.100.1  tcp       80    up\nweb6  2001:db8::1   any       0     up\n' +
      '  check   validate the config file on the server\n  reload  reload the config file on the server\n' +
      'backend "nope" not found\n',
  );
});
