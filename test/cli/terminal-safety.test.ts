/**
 * What the built CLI writes when a file name, a filter or a host snapshot holds escape
 * sequences: no control code point on stdout or stderr, in text, CSV or JSON, and JSON still
 * carries the exact string. The property test over every byte is test/tui/sanitize-property.test.ts;
 * this one checks the doors it cannot reach in-process: the error line of `main`, the headers.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { ROOT, runCli } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
/** C0 but line feed, DEL, C1, lone surrogates, bidi controls, line separators. */
const CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\p{Cs}\p{Bidi_Control}\u2028\u2029]/u;
/** OSC 52 (set the clipboard), a screen clear, 8-bit CSI, a bidi override. */
const HOSTILE = '\x1b]52;c;cm0gLXJmIH4K\x07\x1b[2J\u009b31m\u202egnp';

const dir = mkdtempSync(join(tmpdir(), 'wirestat-safety-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('a capture whose file name is an escape sequence: text, CSV and JSON', async (t) => {
  const file = join(dir, `${HOSTILE}.pcap`);
  symlinkSync(DEMO, file);
  for (const form of [[], ['--csv'], ['--json']]) {
    const r = await runCli(['report', file, '-f', `tcp or ${'udp'}`, ...form], { plain: true });
    t.equal(r.code, 0, r.stderr);
    // CSV lines end with CR LF (RFC 4180): the only CR there is.
    t.notMatch(r.stdout.replace(/\r\n/g, '\n'), CONTROL, `report ${form.join(' ') || 'text'}: no control code point`);
    if (form[0] === '--json') t.equal((JSON.parse(r.stdout) as Report).source.name, file, 'JSON keeps the name exactly');
  }
});

t.test('errors quoting what they could not use are one line without a control code point', async (t) => {
  const garbage = join(dir, `${HOSTILE}.bin`);
  writeFileSync(garbage, `not a capture ${HOSTILE}\n`);
  const schema = join(dir, 'schema.json');
  writeFileSync(schema, JSON.stringify({ schema: HOSTILE }));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, `{"schema": ${HOSTILE}`);
  for (const [what, args] of [
    ['unreadable capture', ['report', garbage]],
    ['missing capture', ['report', join(dir, `${HOSTILE}-missing.pcap`)]],
    ['bad filter', ['report', DEMO, '-f', `host ${HOSTILE}`]],
    ['wrong snapshot schema', ['report', DEMO, '--host', schema]],
    ['snapshot not JSON', ['report', DEMO, '--host', notJson]],
  ] as const) {
    const r = await runCli([...args], { plain: true });
    t.equal(r.code, 2, `${what}: exit 2`);
    t.equal(r.stderr.split('\n').length, 2, `${what}: one line`);
    t.notMatch(r.stderr, CONTROL, `${what}: no control code point (${JSON.stringify(r.stderr)})`);
    t.match(r.stderr, /\\(x1b|u001b)/, `${what}: ESC shown as an escape`);
  }
});
