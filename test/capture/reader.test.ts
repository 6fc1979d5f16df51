/**
 * The capture-file reader on crafted files: every format variant and every framing fault the
 * issue lists, read through small chunks so records straddle reads.
 */
import t from 'tap';
import { readFrom } from '../../src/capture/reader.js';
import { CaptureOpenError, type CaptureRecord, MAX_RECORD_BYTES } from '../../src/capture/source.js';
import { BufferInput } from '../helpers/buffer-input.js';
import { block, bytes, epb, ethernet, idb, option, pb, pcapFile, pcapHeader, pcapRecord, shb, spb, u32 } from '../helpers/craft.js';

interface Got {
  ts: [number, number];
  caplen: number;
  wirelen: number;
  linktype: number;
  ifIndex: number;
  hasTs: boolean;
  data: string;
  fileOffset: number;
}

async function read(file: Buffer, chunkSize = 64, step?: number) {
  const recs: Got[] = [];
  const sink = (r: CaptureRecord) =>
    recs.push({
      ts: [r.tsSec, r.tsNsec],
      caplen: r.caplen,
      wirelen: r.wirelen,
      linktype: r.linktype,
      ifIndex: r.ifIndex,
      hasTs: r.hasTs,
      data: r.data.toString('hex'),
      fileOffset: r.fileOffset,
    });
  const summary = await readFrom(new BufferInput(file, step), 'test.cap', sink, { chunkSize });
  return { recs, summary };
}

async function openError(file: Buffer): Promise<string> {
  try {
    await read(file);
  } catch (err) {
    if (err instanceof CaptureOpenError) return err.message;
    throw err;
  }
  return 'no error';
}

const frame = (n: number) => Buffer.alloc(n, 0xab);

t.test('pcap: both magics in both byte orders', async (t) => {
  for (const le of [true, false]) {
    for (const nanos of [false, true]) {
      const f = pcapFile(
        [
          { sec: 1700000000, frac: nanos ? 123456789 : 123456, data: frame(60) },
          { sec: 1700000001, frac: 1, data: frame(100), wirelen: 1500 },
        ],
        { le, nanos, linktype: 113 },
      );
      const { recs, summary } = await read(f);
      const what = `${le ? 'LE' : 'BE'} ${nanos ? 'ns' : 'µs'}`;
      t.equal(summary.format, 'pcap', what);
      t.same(summary.linktypes, [113], `${what}: link type`);
      t.same(recs.map((r) => r.ts), [[1700000000, nanos ? 123456789 : 123456000], [1700000001, nanos ? 1 : 1000]], `${what}: timestamps`);
      t.same(recs.map((r) => [r.caplen, r.wirelen]), [[60, 60], [100, 1500]], `${what}: lengths`);
      t.equal(recs[1]!.fileOffset, 24 + 16 + 60, `${what}: record offset`);
      t.equal(summary.errors.length, 0);
    }
  }
});

t.test('pcap: files that cannot be read at all', async (t) => {
  t.match(await openError(Buffer.alloc(0)), /test\.cap: byte 0: empty file/);
  t.match(await openError(bytes('d4 c3 b2')), /truncated file header \(3 bytes\)/);
  t.match(await openError(pcapHeader().subarray(0, 20)), /truncated pcap file header \(20 of 24 bytes\)/);
  t.match(await openError(bytes('3c 68 74 6d 6c 3e 0a 0a')), /not a pcap or pcapng file \(magic 0x6d74683c\)/);
  t.match(await openError(bytes('1f 8b 08 00 00 00 00 00')), /gzip-compressed/);
  t.match(await openError(pcapHeader({ major: 1, minor: 0 })), /byte 4: unsupported pcap version 1\.0/);
  t.match(await openError(pcapHeader({ major: 3, minor: 0 })), /unsupported pcap version 3\.0/);
});

t.test('pcap: a header-only file is an empty capture', async (t) => {
  const { recs, summary } = await read(pcapHeader());
  t.equal(recs.length, 0);
  t.same(summary.errors, []);
});

t.test('pcap: cut off mid-record keeps earlier packets and reports the cut', async (t) => {
  const whole = pcapFile([{ data: frame(60) }, { data: frame(80) }]);
  const cutInData = whole.subarray(0, whole.length - 30);
  let r = await read(cutInData);
  t.equal(r.recs.length, 1);
  t.same(r.summary.errors, [{ offset: 24 + 76, reason: 'file ends inside a record (66 of 96 bytes)' }]);
  const cutInHeader = whole.subarray(0, 24 + 76 + 10);
  r = await read(cutInHeader);
  t.equal(r.recs.length, 1);
  t.same(r.summary.errors, [{ offset: 100, reason: 'file ends inside a record header (10 of 16 bytes)' }]);
});

t.test('pcap: record lengths', async (t) => {
  const huge = pcapFile([{ data: frame(60) }, { data: frame(10), caplen: MAX_RECORD_BYTES + 1 }, { data: frame(60) }]);
  let r = await read(huge);
  t.equal(r.recs.length, 1, 'stops at a record over 262144 bytes');
  t.same(r.summary.errors, [{ offset: 24 + 76 + 8, reason: 'record captured length 262145 exceeds 262144; stopped reading' }]);
  t.ok(r.summary.stoppedEarly);

  r = await read(pcapFile([{ data: frame(10), caplen: 0xffffffff }]));
  t.equal(r.recs.length, 0, 'caplen 0xFFFFFFFF is an error, not an allocation');
  t.match(r.summary.errors[0]!.reason, /4294967295 exceeds 262144/);

  r = await read(pcapFile([{ data: Buffer.alloc(0) }, { data: frame(20) }]));
  t.same(r.recs.map((x) => x.caplen), [0, 20], 'caplen 0 is a record');

  r = await read(pcapFile([{ data: frame(100), wirelen: 60 }]));
  t.equal(r.recs.length, 1);
  t.same(r.summary.errors, [{ offset: 24 + 8, reason: 'record captured length 100 exceeds its wire length 60' }]);

  r = await read(pcapFile([{ data: frame(MAX_RECORD_BYTES) }, { data: frame(MAX_RECORD_BYTES) }]), 4096, 1000);
  t.same(r.recs.map((x) => x.caplen), [MAX_RECORD_BYTES, MAX_RECORD_BYTES], 'largest records, read 1000 bytes at a time');
});

t.test('pcap: timestamp fractions out of range carry into seconds', async (t) => {
  const r = await read(pcapFile([{ sec: 10, frac: 2_500_000, data: frame(20) }]));
  t.same(r.recs[0]!.ts, [12, 500000000]);
  t.match(r.summary.errors[0]!.reason, /timestamp fraction 2500000 is not below 1000000/);
});

t.test('pcapng: sections, interfaces, resolutions, offsets, block kinds', async (t) => {
  const le = true;
  const be = false;
  const tsresolNs = option(9, bytes(9), le);
  const tsresol2 = option(9, bytes(0x80 | 10), be); // 2^-10 s
  // Section 1 (little-endian): EN10MB µs, LINUX_SLL ns.
  const s1 = Buffer.concat([
    shb(le),
    idb(1, [option(2, Buffer.from('eth0'), le)], le),
    idb(113, [tsresolNs], le, 128),
    epb(0, 0x00060000, 0x00000000, frame(60), le), // µs units
    block(4, Buffer.alloc(16), le), // name resolution block: skipped
    epb(1, 0x17979cfe, 0x00000000, frame(64), le, 1514), // ns units
    block(0x40000bad, Buffer.alloc(8), le), // custom block: skipped
    spb(frame(70), le), // interface 0
    pb(0, 0, 1_000_000, frame(61), le),
  ]);
  // Section 2 (big-endian): RAW with 2^-10 s and a +100 s offset (64-bit BE: high word first).
  const s2 = Buffer.concat([
    shb(be),
    idb(101, [tsresol2, option(14, Buffer.concat([u32(0, be), u32(100, be)]), be)], be),
    epb(0, 0, 2048, frame(40), be), // 2048 / 1024 = 2 s, + 100
  ]);
  const { recs, summary } = await read(Buffer.concat([s1, s2]), 64, 7);
  t.equal(summary.format, 'pcapng');
  t.same(summary.linktypes, [1, 113, 101]);
  t.same(summary.interfaces.map((i) => i.name), ['eth0', null, null]);
  t.same(summary.errors, []);
  t.same(
    recs.map((r) => [r.linktype, r.ifIndex, r.caplen, r.wirelen]),
    [
      [1, 0, 60, 60],
      [113, 1, 64, 1514],
      [1, 0, 70, 70],
      [1, 0, 61, 61],
      [101, 2, 40, 40],
    ],
  );
  // 0x00060000_00000000 µs = 1688849860263936 µs
  t.same(recs[0]!.ts, [1688849860, 263936000], 'µs units (64-bit) split exactly');
  // 0x17979cfe_00000000 ns = 1700000000000000000 + some: exact integer arithmetic
  const ns = (0x17979cfen * 2n ** 32n);
  t.same(recs[1]!.ts, [Number(ns / 1000000000n), Number(ns % 1000000000n)], 'ns units above 2^53 split exactly');
  t.equal(recs[2]!.hasTs, false, 'SPB has no timestamp');
  t.equal(recs[3]!.ts[0], 1, 'PB timestamp');
  t.same(recs[4]!.ts, [102, 0], '2^-10 resolution plus if_tsoffset');
});

t.test('pcapng: SPB captured length is bounded by the interface snap length', async (t) => {
  const f = Buffer.concat([shb(), idb(1, [], true, 50), spb(frame(70), true, 70)]);
  const { recs } = await read(f);
  t.same(recs.map((r) => [r.caplen, r.wirelen]), [[50, 70]]);
});

t.test('pcapng: faults', async (t) => {
  const head = Buffer.concat([shb(), idb(1)]);
  const good = epb(0, 0, 0, frame(60));

  let r = await read(Buffer.concat([head, epb(3, 0, 0, frame(60)), good]));
  t.equal(r.recs.length, 1, 'packet for an undeclared interface is skipped');
  t.match(r.summary.errors[0]!.reason, /undeclared interface 3/);

  r = await read(Buffer.concat([head, good, block(6, Buffer.alloc(20), true, { length: 8 })]));
  t.equal(r.recs.length, 1);
  t.match(r.summary.errors[0]!.reason, /block length 8 is shorter than 12; stopped reading/);

  r = await read(Buffer.concat([head, good, block(6, Buffer.alloc(20), true, { length: 30 })]));
  t.match(r.summary.errors[0]!.reason, /block length 30 is not a multiple of 4/);

  r = await read(Buffer.concat([head, good, block(6, Buffer.alloc(20), true, { trailer: 36 })]));
  t.match(r.summary.errors[0]!.reason, /block trailer length 36 differs from header length 32/);

  r = await read(Buffer.concat([head, good, u32(0x0bad, true), u32(17 * 1024 * 1024, true), Buffer.alloc(64)]));
  t.match(r.summary.errors[0]!.reason, /block length 17825792 is over 16777216/);

  const big = block(0x0bad, Buffer.alloc(1024 * 1024)); // 1 MiB custom block: skipped unread
  r = await read(Buffer.concat([head, good, big, good]), 4096);
  t.equal(r.recs.length, 2, 'a block larger than the buffer is skipped');
  t.same(r.summary.errors, []);

  const cut = Buffer.concat([head, good, good]);
  r = await read(cut.subarray(0, cut.length - 10));
  t.equal(r.recs.length, 1);
  t.match(r.summary.errors[0]!.reason, /file ends inside a block \(\d+ of \d+ bytes\)/);

  // Interface options: running past the block, repeated or impossible if_tsresol.
  r = await read(Buffer.concat([shb(), block(1, Buffer.concat([bytes('0100 0000'), u32(0, true), bytes('0200 4000'), Buffer.alloc(4)]))]));
  t.match(r.summary.errors[0]!.reason, /option 2 of 64 bytes runs past its block/);
  r = await read(Buffer.concat([shb(), idb(1, [option(9, bytes(3)), option(9, bytes(9))]), epb(0, 0, 5000, frame(60))]));
  t.match(r.summary.errors[0]!.reason, /if_tsresol repeated/);
  t.same(r.recs[0]!.ts, [5, 0], 'the first if_tsresol (ms) is used');
  r = await read(Buffer.concat([shb(), idb(1, [option(9, bytes(0x7f))]), epb(0, 0, 5, frame(60))]));
  t.match(r.summary.errors[0]!.reason, /if_tsresol 0x7f is out of range; microseconds used/);
  t.same(r.recs[0]!.ts, [0, 5000]);

  t.match(await openError(Buffer.concat([shb(true, 2)])), /unsupported pcapng version 2\.0/);
  t.match(await openError(bytes('0a0d0d0a 1c000000 11223344')), /bad pcapng byte-order magic/);
  t.match(await openError(shb().subarray(0, 10)), /truncated pcapng section header/);
});

t.test('pcapng: a second section in the other byte order after records', async (t) => {
  const f = Buffer.concat([shb(true), idb(1, [], true), epb(0, 0, 1, frame(60), true), shb(false), idb(1, [], false), epb(0, 0, 2, frame(61), false)]);
  const { recs, summary } = await read(f, 32, 5);
  t.same(recs.map((r) => [r.ifIndex, r.caplen, r.ts[1]]), [[0, 60, 1000], [1, 61, 2000]]);
  t.same(summary.errors, []);
});

t.test('a frame built with the helpers round-trips', async (t) => {
  const data = ethernet(0x0800, Buffer.alloc(46));
  const { recs } = await read(Buffer.concat([pcapHeader(), pcapRecord({ data })]));
  t.equal(recs[0]!.data, data.toString('hex'));
});
