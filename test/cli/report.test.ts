/**
 * `wirestat report` as a user runs it: output forms, standard input, and the one-line errors
 * and exit codes for input that cannot be read.
 */
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { looksLikeStackTrace, ROOT, runCli } from '../helpers/cli.js';
import { ethernet, ipv4, pcapFile, tcp, TCP_FLAGS } from '../helpers/craft.js';

const V4 = join(ROOT, 'fixtures/captures/lab-v4.pcap');
const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'wirestat-cli-'));

t.test('JSON report: the wirestat.report/1 contract', async (t) => {
  const r = await runCli(['report', V4, '--json']);
  t.equal(r.code, 0);
  t.equal(r.stderr, '');
  t.equal(r.stdout.split('\n').length, 2, 'piped, the document is one line');
  const j = JSON.parse(r.stdout);
  t.equal(j.schema, 'wirestat.report/1');
  t.match(j.source, { kind: 'file', name: V4, format: 'pcap', linktypes: ['EN10MB'], errors: [], errors_not_listed: 0 });
  t.ok(j.source.packets > 0 && j.source.bytes >= j.source.captured_bytes);
  t.ok(j.source.first_ts <= j.source.last_ts);
  for (const k of ['ethernet', 'ipv4', 'tcp', 'udp', 'icmp', 'arp']) t.ok(j.protocols[k]?.packets > 0, `protocol ${k}`);
  t.same(Object.keys(j.flow_table), ['capacity', 'active', 'evicted', 'expired', 'refused', 'tracked', 'when_full', 'idle_timeouts']);
  const totals = j.conversations.map((c: { a_to_b: { bytes: number }; b_to_a: { bytes: number } }) => c.a_to_b.bytes + c.b_to_a.bytes);
  t.same(totals, [...totals].sort((x: number, y: number) => y - x), 'conversations sorted by bytes, descending');
  const tcpRows = j.conversations.filter((c: { proto: string }) => c.proto === 'tcp');
  t.ok(tcpRows.length > 0 && tcpRows.every((c: { state: string | null }) => typeof c.state === 'string'));
  t.ok(j.conversations.filter((c: { proto: string }) => c.proto !== 'tcp').every((c: { state: null }) => c.state === null));
  t.match(tcpRows[0].a, /^198\.18\.0\.\d+:\d+$/);
  t.ok(j.conversations.some((c: { state: string }) => c.state === 'REJ'), 'the refused connection is REJ');
  t.ok(j.conversations.some((c: { proto: string }) => c.proto === 'fragment'), 'later fragments form a fragment row');
  const sum = j.conversations.reduce((s: number, c: { a_to_b: { packets: number }; b_to_a: { packets: number } }) => s + c.a_to_b.packets + c.b_to_a.packets, 0);
  t.equal(sum, j.source.packets - j.protocols.arp.packets, 'every IP packet is in exactly one conversation');
});

t.test('IPv6 endpoints are bracketed with their port', async (t) => {
  const j = JSON.parse((await runCli(['report', join(ROOT, 'fixtures/captures/lab-v6.pcap'), '--json'])).stdout);
  t.ok(j.conversations.some((c: { proto: string; a: string }) => c.proto === 'tcp' && /^\[2001:db8::\d\]:\d+$/.test(c.a)));
  t.ok(j.endpoints.some((e: { addr: string }) => e.addr === '2001:db8::2'));
  t.ok(j.endpoints.some((e: { addr: string }) => e.addr === '02:00:00:00:00:02'));
});

t.test('--top, --csv and text', async (t) => {
  const top = JSON.parse((await runCli(['report', DEMO, '--json', '--top', '3'])).stdout);
  t.equal(top.conversations.length, 3);
  t.ok(top.conversations_total > 3);
  t.equal(top.endpoints.length, 3);
  const csv = await runCli(['report', DEMO, '--csv', '--top', '2']);
  t.equal(csv.code, 0);
  const lines = csv.stdout.trimEnd().split('\r\n');
  t.equal(lines[0], 'proto,a,b,a_to_b_packets,a_to_b_bytes,b_to_a_packets,b_to_a_bytes,first_ts,last_ts,state,history');
  t.equal(lines.length, 3);
  const ep = await runCli(['report', DEMO, '--csv', 'endpoints']);
  t.match(ep.stdout, /^addr,tx_packets,tx_bytes,rx_packets,rx_bytes\r\n/);
  const text = await runCli(['report', DEMO]);
  t.equal(text.code, 0);
  t.match(text.stdout, /^wirestat report: .*demo\.pcap\n  pcap, link type EN10MB; \d+ packets/);
  t.match(text.stdout, /\nConversations: \d+\nProto +A +B +A>B pkts/);
  t.match(text.stdout, /\nEndpoints: \d+\n/);
  t.match(text.stdout, /\nProtocols\n/);
  t.notMatch(text.stdout, /\x1b\[/, 'no escape sequences when piped');
});

t.test('standard input: tcpdump -w - | wirestat report -', async (t) => {
  const data = readFileSync(V4);
  const viaStdin = await runCli(['report', '-', '--json'], { input: data });
  const viaFile = await runCli(['report', V4, '--json']);
  t.equal(viaStdin.code, 0);
  const a = JSON.parse(viaStdin.stdout);
  const b = JSON.parse(viaFile.stdout);
  t.equal(a.source.name, '-');
  delete a.source.name;
  delete b.source.name;
  t.same(a, b, 'the same report as from the file');
});

t.test('npm start path: no arguments reports on the demo capture', async (t) => {
  const r = await runCli([]);
  t.equal(r.code, 0);
  t.match(r.stdout, /demo\.pcap/);
});

t.test('input that cannot be read: one line naming the file and cause, exit 2', async (t) => {
  const empty = join(tmp, 'empty.pcap');
  writeFileSync(empty, '');
  const text = join(tmp, 'notes.txt');
  writeFileSync(text, 'this is not a capture\n');
  const shortHeader = join(tmp, 'short.pcap');
  writeFileSync(shortHeader, pcapFile([]).subarray(0, 10));
  const unreadable = join(tmp, 'secret.pcap');
  writeFileSync(unreadable, pcapFile([]));
  chmodSync(unreadable, 0o000);
  const cases: [string, RegExp][] = [
    [join(tmp, 'missing.pcap'), /: no such file$/],
    [tmp, /: is a directory, not a capture file$/],
    [empty, /: byte 0: empty file$/],
    [text, /: byte 0: not a pcap or pcapng file \(magic 0x73696874\)$/],
    [shortHeader, /: byte 0: truncated pcap file header \(10 of 24 bytes\)$/],
  ];
  // Root reads any file regardless of its mode; the permission case only means something without it.
  if (process.getuid?.() !== 0) cases.push([unreadable, /: permission denied$/]);
  for (const [file, cause] of cases) {
    const r = await runCli(['report', file]);
    t.equal(r.code, 2, `${file}: exit 2`);
    t.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    t.equal(lines.length, 1, `${file}: one line`);
    t.ok(lines[0]!.startsWith(`wirestat: ${file}: `), `${file}: names the file`);
    t.match(lines[0]!, cause);
    t.notOk(looksLikeStackTrace(r.stderr));
  }
});

t.test('a file read in part: exit 0 with the errors in the report', async (t) => {
  const frame = ethernet(0x0800, ipv4(6, '198.18.0.1', '198.18.0.2', tcp(1, 2, TCP_FLAGS.SYN)));
  const whole = pcapFile([{ data: frame }, { data: frame }]);
  const cut = join(tmp, 'cut.pcap');
  writeFileSync(cut, whole.subarray(0, whole.length - 5));
  const r = await runCli(['report', cut, '--json']);
  t.equal(r.code, 0);
  const j = JSON.parse(r.stdout);
  t.equal(j.source.packets, 1);
  t.same(j.source.errors, [{ offset: 24 + 16 + frame.length, reason: `file ends inside a record (${16 + frame.length - 5} of ${16 + frame.length} bytes)` }]);
  const text = await runCli(['report', cut]);
  t.match(text.stdout, /error at byte 94: file ends inside a record/);
});

t.test('usage errors', async (t) => {
  let r = await runCli(['report']);
  t.equal(r.code, 2);
  t.match(r.stderr, /^wirestat: name a capture file or an interface \(-i IF\)/);
  r = await runCli(['report', V4, '--top', '-1']);
  t.equal(r.code, 2);
  t.match(r.stderr, /--top must be a whole number/);
  r = await runCli(['report', V4, '--bogus']);
  t.equal(r.code, 2);
  r = await runCli(['--help']);
  t.equal(r.code, 0);
  t.match(r.stdout, /report \[file\]/);
  t.match(r.stdout, /replay <file>/);
  t.match(r.stdout, /live /);
});

t.test('a closed pipe is not an error', async (t) => {
  const r = await runCli(['report', DEMO], { env: {} });
  t.equal(r.code, 0);
});
