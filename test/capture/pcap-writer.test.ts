/// <reference path="../types/pcap-parser.d.ts" />
/**
 * The pcap writer against the tools that read its files: tshark's conversations, tcpdump's own
 * `-w`/`-C`/`-W` output byte for byte, pcap-parser and our reader; a writer killed with SIGKILL;
 * flushing within a second; errors as one line naming the file.
 *
 * tcpdump runs with `-Z root`: as root it otherwise drops to user tcpdump before opening its
 * output (tcpdump -Z is on by default), which cannot write into our temporary directories. Not
 * root, tcpdump ignores -Z.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import pcapParser, { type PacketHeader } from 'pcap-parser';
import t from 'tap';
import {
  PcapWriter,
  PcapWriterError,
  type PcapWriterOptions,
  rotationFileName,
  TCPDUMP_FILE_SIZE_UNIT,
} from '../../src/capture/pcap-writer.js';
import { readCapture } from '../../src/capture/reader.js';
import { CaptureRecord, type SourceSummary } from '../../src/capture/source.js';
import { ROOT } from '../helpers/cli.js';
import { epb, ethernet, idb, shb } from '../helpers/craft.js';
import { TSHARK } from '../helpers/tshark.js';

const TCPDUMP = process.env.TCPDUMP ?? 'tcpdump';
const FIXTURES = join(ROOT, 'fixtures/captures');
const CHILD = join(ROOT, 'test/helpers/pcap-writer-child.mjs');
const DEMO = join(FIXTURES, 'demo.pcap');
const IS_ROOT = process.getuid?.() === 0;

const tmp = mkdtempSync(join(tmpdir(), 'wirestat-writer-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
let dirs = 0;
function freshDir(): string {
  const d = join(tmp, `d${dirs++}`);
  mkdirSync(d);
  return d;
}

interface Rec {
  sec: number;
  nsec: number;
  caplen: number;
  wirelen: number;
  data: Buffer;
}

async function readRecords(file: string): Promise<{ recs: Rec[]; summary: SourceSummary }> {
  const recs: Rec[] = [];
  const summary = await readCapture(file, (r) =>
    recs.push({ sec: r.tsSec, nsec: r.tsNsec, caplen: r.caplen, wirelen: r.wirelen, data: Buffer.from(r.data) }),
  );
  return { recs, summary };
}

/** Index and fields of the first record that differs, or null. */
function firstDifference(a: Rec[], b: Rec[]): string | null {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y) return `record ${i} missing on one side (${a.length} against ${b.length})`;
    if (x.sec !== y.sec || x.nsec !== y.nsec || x.caplen !== y.caplen || x.wirelen !== y.wirelen || !x.data.equals(y.data)) {
      return `record ${i}: ${JSON.stringify({ ...x, data: x.data.length })} against ${JSON.stringify({ ...y, data: y.data.length })}`;
    }
  }
  return null;
}

/**
 * Copies `input` into a writer record by record, straight from the reader's sink: the reader
 * reuses its 4 KiB buffers under every record, so a writer keeping a view instead of a copy
 * would write the wrong bytes (the borrow rule).
 */
async function copyThrough(input: string, opts: Omit<PcapWriterOptions, 'linktype'>): Promise<PcapWriter> {
  let w: PcapWriter | null = null;
  await readCapture(
    input,
    (r) => {
      w ??= PcapWriter.open({ timer: false, ...opts, linktype: r.linktype });
      w.write(r);
    },
    { chunkSize: 4096 },
  );
  w!.close();
  return w!;
}

function run(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

/** tshark's stderr without its warning about running as root. */
function tsharkComplaints(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l && !/^Running as user "root"/.test(l))
    .join('\n');
}

function tsharkConv(file: string): { out: string; complaints: string; status: number | null } {
  const r = run(TSHARK, ['-n', '-r', file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp']);
  return { out: r.stdout, complaints: tsharkComplaints(r.stderr), status: r.status };
}

/** tcpdump's packet count, and anything it said besides the "reading from file" line. */
function tcpdumpCount(file: string): { count: number; complaints: string; status: number | null } {
  const r = run(TCPDUMP, ['-n', '-r', file, '--count']);
  const m = /^(\d+) packets?$/m.exec(r.stdout);
  const complaints = r.stderr
    .split('\n')
    .filter((l) => l && !/^reading from file /.test(l))
    .join('\n');
  return { count: m ? Number(m[1]) : -1, complaints, status: r.status };
}

function pcapParserRecords(file: string): Promise<{ recs: Rec[]; error: string | null }> {
  return new Promise((resolve) => {
    const recs: Rec[] = [];
    let error: string | null = null;
    const p = pcapParser.parse(file);
    p.on('packet', (pkt: { header: PacketHeader; data: Buffer }) =>
      recs.push({
        sec: pkt.header.timestampSeconds,
        nsec: pkt.header.timestampMicroseconds * 1000,
        caplen: pkt.header.capturedLength,
        wirelen: pkt.header.originalLength,
        data: Buffer.from(pkt.data),
      }),
    );
    p.on('error', (e: Error) => (error = e.message));
    p.on('end', () => resolve({ recs, error }));
  });
}

/** A record that owns its bytes. */
function record(data: Buffer, o: Partial<Pick<CaptureRecord, 'tsSec' | 'tsNsec' | 'wirelen' | 'linktype' | 'hasTs'>> = {}): CaptureRecord {
  const r = new CaptureRecord();
  r.buf = data;
  r.offset = 0;
  r.caplen = data.length;
  r.wirelen = o.wirelen ?? data.length;
  r.tsSec = o.tsSec ?? 1700000000;
  r.tsNsec = o.tsNsec ?? 0;
  r.linktype = o.linktype ?? 1;
  r.hasTs = o.hasTs ?? true;
  return r;
}

/** Synthetic Ethernet records of the given frame sizes, one second apart. */
function writeSynthetic(path: string, sizes: number[]): void {
  const w = PcapWriter.open({ path, linktype: 1, timer: false });
  sizes.forEach((n, i) => w.write(record(ethernet(0x0800, Buffer.alloc(n - 14, i & 0xff)), { tsSec: 1700000000 + i })));
  w.close();
}

const fixtures = readdirSync(FIXTURES)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .sort()
  .map((f) => join(FIXTURES, f));

t.test('round trip, microseconds: byte for byte what tcpdump -w writes', async (t) => {
  t.ok(fixtures.length >= 9, `${fixtures.length} fixtures`);
  for (const input of fixtures) {
    const name = basename(input);
    const { recs, summary } = await readRecords(input);
    t.same(summary.errors, [], `${name}: input reads cleanly`);
    const out = join(tmp, `${name}.us.pcap`);
    const w = await copyThrough(input, { path: out, snaplen: summary.interfaces[0]!.snaplen });
    t.equal(w.recordsFlushed, recs.length, `${name}: every record flushed by close()`);

    const theirs = join(tmp, `${name}.tcpdump.pcap`);
    const td = run(TCPDUMP, ['-Z', 'root', '-r', input, '-w', theirs]);
    t.equal(td.status, 0, `${name}: tcpdump -w ran`);
    t.ok(readFileSync(out).equals(readFileSync(theirs)), `${name}: identical to tcpdump -r ${name} -w`);

    // tcpdump warns about LINUX_SLL2 files (their interface indexes name interfaces of this
    // host); whatever it says of the input, and only that, it may say of the copy.
    const said = tcpdumpCount(input).complaints;
    const count = tcpdumpCount(out);
    t.same([count.status, count.complaints, count.count], [0, said, recs.length], `${name}: tcpdump -r reads every record`);

    const truncated = recs.map((r) => ({ ...r, nsec: r.nsec - (r.nsec % 1000) }));
    const ours = await readRecords(out);
    t.same(ours.summary.errors, [], `${name}: our reader finds no error`);
    t.equal(firstDifference(ours.recs, truncated), null, `${name}: our reader: same records (times cut to µs)`);
    const pp = await pcapParserRecords(out);
    t.equal(pp.error, null, `${name}: pcap-parser finds no error`);
    t.equal(firstDifference(pp.recs, truncated), null, `${name}: pcap-parser: same records (times cut to µs)`);

    // Where the input has microsecond times, nothing was lost: tshark's conversations, their
    // relative start times included, are the same.
    if (recs.every((r) => r.nsec % 1000 === 0)) {
      const a = tsharkConv(input);
      const b = tsharkConv(out);
      t.same([b.status, b.complaints], [0, ''], `${name}: tshark reads it without a complaint`);
      t.equal(b.out, a.out, `${name}: tshark -z conv,tcp -z conv,udp as on the input`);
    }
  }
});

t.test('round trip, nanoseconds, big-endian: exact records and the same tshark conversations', async (t) => {
  for (const input of fixtures) {
    const name = basename(input);
    const { recs } = await readRecords(input);
    const out = join(tmp, `${name}.ns.pcap`);
    await copyThrough(input, { path: out, precision: 'nano', byteOrder: 'big' });
    t.equal(readFileSync(out).readUInt32BE(0), 0xa1b23c4d, `${name}: nanosecond magic, big-endian`);
    const ours = await readRecords(out);
    t.same(ours.summary.errors, [], `${name}: our reader finds no error`);
    t.equal(firstDifference(ours.recs, recs), null, `${name}: same records, times exact`);
    const a = tsharkConv(input);
    const b = tsharkConv(out);
    t.same([b.status, b.complaints], [0, ''], `${name}: tshark reads it without a complaint`);
    t.equal(b.out, a.out, `${name}: tshark -z conv,tcp -z conv,udp as on the input`);
    const count = tcpdumpCount(out);
    t.same([count.status, count.complaints, count.count], [0, tcpdumpCount(input).complaints, recs.length], `${name}: tcpdump -r reads every record`);
  }
});

t.test('a record of a second link type is refused with one line; the file stays whole', async (t) => {
  // pcapng may mix link types; pcap states one in its header (libpcap itself refuses a pcapng
  // interface whose link type differs from the first). The writer refuses such records.
  const eth = ethernet(0x0800, Buffer.alloc(46, 1));
  const sll = Buffer.alloc(60, 2);
  const input = join(tmp, 'two-linktypes.pcapng');
  writeFileSync(input, Buffer.concat([shb(), idb(1), idb(113), epb(0, 0, 1, eth), epb(1, 0, 2, sll), epb(0, 0, 3, eth)]));
  const out = join(tmp, 'two-linktypes.pcap');
  let w: PcapWriter | null = null;
  const refused: PcapWriterError[] = [];
  await readCapture(input, (r) => {
    w ??= PcapWriter.open({ path: out, linktype: r.linktype, timer: false });
    try {
      w.write(r);
    } catch (err) {
      if (!(err instanceof PcapWriterError)) throw err;
      refused.push(err);
    }
  });
  w!.close();
  t.equal(refused.length, 1, 'one record refused');
  t.equal(
    refused[0]!.message,
    `${out}: a record of link type LINUX_SLL (113) cannot go into a pcap file of link type EN10MB (1): pcap holds one link type per file`,
  );
  t.same([refused[0]!.kind, refused[0]!.code], ['linktype', null]);
  const ours = await readRecords(out);
  t.same(ours.recs.map((r) => r.nsec), [1000, 3000], 'the records before and after the refused one are written');
  t.same(ours.summary.linktypes, [1]);
  const count = tcpdumpCount(out);
  t.same([count.status, count.complaints, count.count], [0, '', 2], 'tcpdump reads it');
  t.same(tsharkConv(out).complaints, '', 'tshark reads it');
});

t.test('record fields: snap length, times without a value, time wrap, wire length', async (t) => {
  const out = join(tmp, 'fields.pcap');
  const w = PcapWriter.open({ path: out, linktype: 1, snaplen: 100, timer: false, byteOrder: 'little' });
  w.write(record(Buffer.alloc(200, 7), { tsSec: 1700000001, tsNsec: 999_999_999 }));
  w.write(record(Buffer.alloc(60, 8), { hasTs: false, tsSec: 5, tsNsec: 5000 }));
  w.write(record(Buffer.alloc(60, 9), { tsSec: 2 ** 32 + 3, wirelen: 1514 }));
  w.close();
  const file = readFileSync(out);
  t.same([file.readUInt16LE(4), file.readUInt16LE(6), file.readUInt32LE(16), file.readUInt32LE(20)], [2, 4, 100, 1], 'version 2.4, snap length, link type');
  const { recs, summary } = await readRecords(out);
  t.same(summary.errors, []);
  t.same(
    recs.map((r) => [r.sec, r.nsec, r.caplen, r.wirelen]),
    [
      [1700000001, 999_999_000, 100, 200],
      [0, 0, 60, 60],
      [3, 0, 60, 1514],
    ],
    'cut to the snap length (wire length kept); µs truncated; no time is 0; seconds wrap at 2^32',
  );
  t.ok(recs[0]!.data.equals(Buffer.alloc(100, 7)));
  t.throws(() => w.write(record(Buffer.alloc(60))), /is closed/, 'write after close');
  t.doesNotThrow(() => w.close(), 'close twice');
});

t.test('file names of a rotation, as tcpdump 4.99 makes them', async (t) => {
  t.same([0, 1, 2, 10, 11].map((i) => rotationFileName('out', i)), ['out', 'out1', 'out2', 'out10', 'out11'], '-C alone');
  t.same([0, 1, 2].map((i) => rotationFileName('out', i, 3)), ['out0', 'out1', 'out2'], '-W 3');
  t.same([0, 9].map((i) => rotationFileName('out', i, 10)), ['out0', 'out9'], '-W 10');
  t.same([0, 10].map((i) => rotationFileName('out', i, 11)), ['out00', 'out10'], '-W 11');
  t.same([0, 99].map((i) => rotationFileName('out', i, 100)), ['out00', 'out99'], '-W 100');
  t.same([0, 100].map((i) => rotationFileName('out', i, 101)), ['out000', 'out100'], '-W 101');
  t.equal(rotationFileName('out', 0, 1), 'out', '-W 1 reuses FILE');
});

t.test('rotation: the same files, names, sizes, bytes and modes as tcpdump -C/-W', async (t) => {
  // Copies of demo.pcap making 11-11.5 MB, whatever its size when it was last recorded: twelve
  // files at -C 1 (so the names reach two digits) and three at -C 5.
  const { recs } = await readRecords(DEMO);
  const copies = Math.floor(11.5e6 / statSync(DEMO).size);
  const big = join(tmp, 'big.pcap');
  const w = PcapWriter.open({ path: big, linktype: 1, timer: false });
  for (let copy = 0; copy < copies; copy++) {
    for (const r of recs) w.write(record(r.data, { tsSec: r.sec + copy * 30, tsNsec: r.nsec, wirelen: r.wirelen }));
  }
  w.close();

  const cases: { C: number; W?: number; names: string[] }[] = [
    { C: 1, names: ['out', ...Array.from({ length: 11 }, (_, i) => `out${i + 1}`)] },
    { C: 1, W: 3, names: ['out0', 'out1', 'out2'] },
    { C: 1, W: 11, names: Array.from({ length: 11 }, (_, i) => `out${String(i).padStart(2, '0')}`) },
    { C: 1, W: 1, names: ['out'] },
    { C: 2, W: 4, names: ['out0', 'out1', 'out2', 'out3'] },
    { C: 5, names: ['out', 'out1', 'out2'] },
  ];
  for (const c of cases) {
    const what = `-C ${c.C}${c.W ? ` -W ${c.W}` : ''}`;
    const theirs = freshDir();
    const ours = freshDir();
    const args = ['-Z', 'root', '-r', big, '-w', join(theirs, 'out'), '-C', String(c.C)];
    if (c.W) args.push('-W', String(c.W));
    t.equal(run(TCPDUMP, args).status, 0, `${what}: tcpdump ran`);
    const rotate = { fileSize: c.C * TCPDUMP_FILE_SIZE_UNIT, ...(c.W ? { fileCount: c.W } : {}) };
    const wr = await copyThrough(big, { path: join(ours, 'out'), rotate });
    const names = readdirSync(ours).sort();
    t.same(readdirSync(theirs).sort(), [...c.names].sort(), `${what}: tcpdump's names`);
    t.same(names, [...c.names].sort(), `${what}: our names`);
    const differ = names.filter((n) => !readFileSync(join(ours, n)).equals(readFileSync(join(theirs, n))));
    t.same(differ, [], `${what}: every file byte for byte tcpdump's (the wrapped ones overwritten alike)`);
    const modes = names.filter((n) => statSync(join(ours, n)).mode !== statSync(join(theirs, n)).mode);
    t.same(modes, [], `${what}: same modes as tcpdump's`);
    t.equal(wr.recordsFlushed, recs.length * copies);
    const over = names.filter((n) => statSync(join(ours, n)).size > c.C * TCPDUMP_FILE_SIZE_UNIT + 1600);
    t.same(over, [], `${what}: no file more than one record past the limit`);
    // tshark reads every file on its own (each begins with its own header).
    if (c.C === 1 && (c.W === undefined || c.W === 3)) {
      const bad = names.filter((n) => {
        const r = tsharkConv(join(ours, n));
        return r.status !== 0 || r.complaints !== '';
      });
      t.same(bad, [], `${what}: tshark reads each file without a complaint`);
    }
  }
});

t.test('rotation at the limit: a file of exactly 1,000,000 bytes takes one more record', async (t) => {
  // 24 + 984 × 1016 + 232 = 1,000,000 bytes; one byte more in the second case.
  for (const [last, sizes] of [
    [216, [1_000_116, 488]],
    [217, [1_000_001, 604]],
  ] as const) {
    const input = join(tmp, `edge-${last}.pcap`);
    writeSynthetic(input, [...Array(984).fill(1000), last, 100, 100, 100, 100, 100]);
    const theirs = freshDir();
    const ours = freshDir();
    run(TCPDUMP, ['-Z', 'root', '-r', input, '-w', join(theirs, 'out'), '-C', '1']);
    await copyThrough(input, { path: join(ours, 'out'), rotate: { fileSize: TCPDUMP_FILE_SIZE_UNIT } });
    const got = ['out', 'out1'].map((n) => statSync(join(ours, n)).size);
    t.same(got, sizes, `last record of ${last} bytes: sizes ${sizes.join(', ')}`);
    t.same(readdirSync(theirs).map((n) => statSync(join(theirs, n)).size), sizes, 'tcpdump: the same');
    t.ok(readFileSync(join(ours, 'out1')).equals(readFileSync(join(theirs, 'out1'))), 'second file byte for byte');
  }
});

t.test('standard output cannot rotate', async (t) => {
  t.throws(() => PcapWriter.open({ path: '-', linktype: 1, rotate: { fileSize: 1e6 } }), {
    name: 'PcapWriterError',
    kind: 'usage',
    message: 'standard output: cannot rotate standard output (-C needs a file name)',
  });
});

t.test('flushed within maxDelayMs: an injected clock drives tick()', async (t) => {
  const out = join(tmp, 'tick.pcap');
  let now = 0;
  const w = PcapWriter.open({ path: out, linktype: 1, clock: () => now, timer: false });
  const size = () => statSync(out).size;
  t.equal(size(), 24, 'the header is written at open: an empty capture is a valid file');
  w.write(record(Buffer.alloc(60)));
  t.equal(size(), 24, 'a record waits in the buffer');
  w.tick(499);
  t.equal(size(), 24, 'younger than maxDelayMs / 2: still waiting');
  w.tick(500);
  t.equal(size(), 24 + 76, 'flushed at maxDelayMs / 2, so ticks every maxDelayMs / 2 keep every wait under a second');
  now = 600;
  w.write(record(Buffer.alloc(60)));
  w.tick(1000);
  t.equal(size(), 24 + 76, 'age counts from the oldest record in the buffer');
  now = 1100;
  w.tick();
  t.equal(size(), 24 + 2 * 76, 'tick() without an argument reads the clock');
  w.close();

  const small = join(tmp, 'full-buffer.pcap');
  const s = PcapWriter.open({ path: small, linktype: 1, snaplen: 100, bufferSize: 200, timer: false });
  for (let i = 0; i < 3; i++) s.write(record(Buffer.alloc(60)));
  t.equal(statSync(small).size, 24 + 2 * 76, 'a full buffer is flushed before the record that does not fit');
  s.close();
  t.equal(statSync(small).size, 24 + 3 * 76, 'close() flushes the rest');

  const each = join(tmp, 'each.pcap');
  const e = PcapWriter.open({ path: each, linktype: 1, flushEachRecord: true, timer: false });
  e.write(record(Buffer.alloc(60)));
  t.equal(statSync(each).size, 24 + 76, 'flushEachRecord (tcpdump -U) hands each record over at once');
  e.close();
});

t.test('flushed within a second by the built-in timer, without close()', async (t) => {
  const out = join(tmp, 'timer.pcap');
  const w = PcapWriter.open({ path: out, linktype: 1 });
  const started = Date.now();
  w.write(record(Buffer.alloc(60)));
  let ms = -1;
  while (Date.now() - started < 3000) {
    await new Promise((r) => setTimeout(r, 20));
    if (statSync(out).size === 24 + 76) {
      ms = Date.now() - started;
      break;
    }
  }
  t.ok(ms >= 0 && ms <= 1000 + 500, `record in the file after ${ms} ms (bound 1 s, plus 500 ms for a busy machine)`);
  w.close();
});

t.test('files are created as tcpdump creates them: 0666 less the umask', async (t) => {
  const umask = process.umask();
  const a = join(tmp, 'mode-default.pcap');
  PcapWriter.open({ path: a, linktype: 1, timer: false }).close();
  t.equal(statSync(a).mode & 0o777, 0o666 & ~umask, `umask ${umask.toString(8)}`);
  const b = join(tmp, 'mode-600.pcap');
  PcapWriter.open({ path: b, linktype: 1, timer: false, mode: 0o600 }).close();
  t.equal(statSync(b).mode & 0o777, 0o600 & ~umask, 'mode option');
  const theirs = join(tmp, 'mode-tcpdump.pcap');
  run(TCPDUMP, ['-Z', 'root', '-r', DEMO, '-c', '1', '-w', theirs]);
  t.equal(statSync(theirs).mode & 0o777, statSync(a).mode & 0o777, 'tcpdump: the same');
});

function openError(opts: PcapWriterOptions): PcapWriterError {
  try {
    PcapWriter.open({ timer: false, ...opts }).close();
  } catch (err) {
    if (err instanceof PcapWriterError) return err;
    throw err;
  }
  throw new Error('no error');
}

function node(args: string[], o: { uid?: number; gid?: number } = {}) {
  // Without tap's coverage hooks (see runCli's `plain`): the child's coverage is not wanted.
  return spawnSync('env', ['-u', 'NODE_OPTIONS', process.execPath, CHILD, ...args], { encoding: 'utf8', cwd: ROOT, ...o });
}

t.test('errors name the file and the cause in one line', async (t) => {
  const dir = freshDir();
  let e = openError({ path: dir, linktype: 1 });
  t.same([e.message, e.kind, e.code], [`${dir}: cannot open: is a directory (EISDIR)`, 'open', 'EISDIR']);
  e = openError({ path: join(dir, 'missing/out.pcap'), linktype: 1 });
  t.equal(e.message, `${join(dir, 'missing/out.pcap')}: cannot open: no such file or directory (ENOENT)`);
  e = openError({ path: '/dev/full', linktype: 1 });
  t.same([e.message, e.kind, e.code], ['/dev/full: cannot write: no space left on device (ENOSPC)', 'write', 'ENOSPC']);

  const locked = freshDir();
  const target = join(locked, 'out.pcap');
  if (IS_ROOT) {
    // Root passes permission checks: the writer runs as nobody, as after -Z nobody.
    const r = node(['copy', DEMO, target], { uid: 65534, gid: 65534 });
    t.same([r.status, r.stderr], [2, `${target}: cannot open: permission denied (EACCES)\n`], 'EACCES (as nobody)');
  } else {
    chmodSync(locked, 0o555);
    e = openError({ path: target, linktype: 1 });
    t.equal(e.message, `${target}: cannot open: permission denied (EACCES)`, 'EACCES');
  }
});

t.test('standard output: a reader that goes away is EPIPE, in one line', async (t) => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, CHILD, 'copy', DEMO, '-'], { cwd: ROOT });
    p.stdout.destroy();
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => (stderr += b));
    p.on('close', (code) => resolve({ code, stderr }));
  });
  t.same([r.code, r.stderr], [2, 'standard output: cannot write: the reader closed the pipe (EPIPE)\n']);
});

t.test('standard output into a pipe: tshark -r - reads the conversations; a full pipe waits', async (t) => {
  const pipeline = spawnSync(
    'sh',
    ['-c', 'env -u NODE_OPTIONS "$0" "$1" copy "$2" - touch | "$3" -n -r - -q -z conv,tcp -z conv,udp', process.execPath, CHILD, DEMO, TSHARK],
    { encoding: 'utf8', cwd: ROOT },
  );
  t.equal(pipeline.status, 0);
  t.equal(pipeline.stdout, tsharkConv(DEMO).out, 'wirestat -w - | tshark -r -: the conversations of the input');

  // Node makes a piped fd 1 non-blocking once process.stdout is touched; the reader here waits
  // half a second before reading, so the writer meets a full pipe (EAGAIN) and must wait too.
  const bytes = await new Promise<Buffer>((resolve, reject) => {
    const p = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, CHILD, 'copy', DEMO, '-', 'touch'], { cwd: ROOT });
    const chunks: Buffer[] = [];
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => (stderr += b));
    setTimeout(() => p.stdout.on('data', (b: Buffer) => chunks.push(b)), 500);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`exit ${code}: ${stderr}`))));
  });
  const file = join(tmp, 'stdout-reference.pcap');
  await copyThrough(DEMO, { path: file });
  t.ok(bytes.equals(readFileSync(file)), `${bytes.length} bytes from the pipe equal the file written directly`);
});

t.test('a flush that fails from the timer reaches onError, then the next call', async (t) => {
  // A FIFO whose reader closes: the writer's next write gets EPIPE.
  const fifo = join(freshDir(), 'fifo');
  t.equal(run('mkfifo', [fifo]).status, 0);
  const reader = openSync(fifo, 'r+'); // r+ opens a FIFO without waiting for a writer
  const seen: string[] = [];
  const w = PcapWriter.open({ path: fifo, linktype: 1, maxDelayMs: 100, onError: (e) => seen.push(e.message) });
  closeSync(reader);
  w.write(record(Buffer.alloc(60)));
  await new Promise((r) => setTimeout(r, 300));
  const msg = `${fifo}: cannot write: the reader closed the pipe (EPIPE)`;
  t.same(seen, [msg], 'onError got the failure');
  t.throws(() => w.write(record(Buffer.alloc(60))), { message: msg, kind: 'write', code: 'EPIPE' }, 'the next write throws it');
  t.doesNotThrow(() => w.close(), 'close() does not throw it a second time');

  const fifo2 = join(freshDir(), 'fifo');
  run('mkfifo', [fifo2]);
  const reader2 = openSync(fifo2, 'r+');
  const w2 = PcapWriter.open({ path: fifo2, linktype: 1, maxDelayMs: 100 });
  closeSync(reader2);
  w2.write(record(Buffer.alloc(60)));
  await new Promise((r) => setTimeout(r, 300));
  t.throws(() => w2.close(), { message: `${fifo2}: cannot write: the reader closed the pipe (EPIPE)` }, 'close() throws a failure nobody saw');
});

t.test('a full disk mid-capture: one line, and the file cut back to its last whole record', async (t) => {
  if (!IS_ROOT) {
    if (process.env.CI === 'true') t.fail('needs root (a 256 KiB tmpfs in a private mount namespace)');
    else t.plan(0, 'skip: needs root (a 256 KiB tmpfs in a private mount namespace)');
    return;
  }
  const keep = freshDir();
  const mnt = freshDir();
  // The tmpfs lives only in the child's mount namespace; the file is copied out before it ends.
  const r = spawnSync(
    'unshare',
    ['-m', 'sh', '-c', 'mount -t tmpfs -o size=256k tmpfs "$0" && env -u NODE_OPTIONS "$1" "$2" fill "$0/out.pcap" && cp "$0/out.pcap" "$3"', mnt, process.execPath, CHILD, keep],
    { encoding: 'utf8', cwd: ROOT },
  );
  t.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { thrown: { message: string; kind: string; code: string }; closeError: string | null; records: number; flushed: number };
  t.same(got.thrown, { message: `${mnt}/out.pcap: cannot write: no space left on device (ENOSPC)`, kind: 'write', code: 'ENOSPC' });
  t.equal(got.closeError, null, 'close() after the thrown error is quiet');
  const out = join(keep, 'out.pcap');
  t.equal(statSync(out).size, 24 + got.flushed * 1016, `cut back to ${got.flushed} whole records`);
  const ours = await readRecords(out);
  t.same([ours.summary.errors, ours.recs.length], [[], got.flushed], 'our reader: no error, every flushed record');
  const count = tcpdumpCount(out);
  t.same([count.status, count.complaints, count.count], [0, '', got.flushed], 'tcpdump reads it');
  t.equal(tsharkConv(out).complaints, '', 'tshark reads it');
});

t.test('kill -9 mid-capture: every tool reads the file to its last flushed record, without an error', async (t) => {
  const out = join(tmp, 'killed.pcap');
  const { flushed, signal } = await new Promise<{ flushed: number; signal: NodeJS.Signals | null }>((resolve, reject) => {
    // A 256 KiB buffer: about thirty flushes a second at this pace, and the 1 s timer besides.
    const p = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, CHILD, 'loop', out, DEMO, String(256 * 1024)], { cwd: ROOT });
    let flushed = 0;
    let lines = 0;
    let pending = '';
    let stderr = '';
    let killAt = 0;
    p.stderr.on('data', (b: Buffer) => (stderr += b));
    p.stdout.on('data', (b: Buffer) => {
      pending += b;
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        const m = /^flushed (\d+)$/.exec(line);
        if (!m) continue;
        flushed = Number(m[1]);
        // After ten flushes, at a moment unrelated to the child's own rhythm.
        if (++lines === 10) killAt = Date.now() + 200 + Math.floor(Math.random() * 300);
      }
      if (killAt && Date.now() >= killAt && p.exitCode === null && !p.killed) p.kill('SIGKILL');
    });
    p.on('close', (code, signal) =>
      signal === 'SIGKILL' ? resolve({ flushed, signal }) : reject(new Error(`child ended before the kill: exit ${code} ${stderr}`)),
    );
  });
  t.equal(signal, 'SIGKILL');
  t.ok(flushed > 0, `${flushed} records reported flushed before the kill`);
  const ours = await readRecords(out);
  t.same(ours.summary.errors, [], 'our reader: no error');
  t.ok(ours.recs.length >= flushed, `our reader: ${ours.recs.length} records, at least the ${flushed} flushed`);
  const count = tcpdumpCount(out);
  t.same([count.status, count.complaints, count.count], [0, '', ours.recs.length], 'tcpdump -r: the same count, no complaint');
  const ts = tsharkConv(out);
  t.same([ts.status, ts.complaints], [0, ''], 'tshark -r: no complaint');
  const pp = await pcapParserRecords(out);
  t.same([pp.error, pp.recs.length], [null, ours.recs.length], 'pcap-parser: the same count, no error');
});
