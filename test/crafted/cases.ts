/**
 * Issue 8's crafted cases: one table, each row a capture file built byte by byte and what
 * `wirestat report FILE --json` must make of it. `npm run crafted` writes every row to
 * fixtures/crafted/ (so each can be run by hand); test/crafted/crafted.test.ts checks that the
 * files are still what this table builds and runs the real CLI on each, with tshark beside it.
 *
 * Outcomes, as the README's "Exit status and errors" defines them:
 * - unreadable: exit 2, one line on stderr naming the file, the byte offset and the cause;
 * - readable: exit 0, the report, with each problem in `source.errors` (byte offset + reason) or
 *   under a named `malformed` reason, or the packet decoded as it should be.
 */
import {
  block,
  bytes,
  epb,
  ethernet,
  idb,
  ipv4,
  ipv6,
  option,
  pcapFile,
  pcapHeader,
  type PcapOptions,
  type PcapRecord,
  shb,
  tcp,
  TCP_FLAGS,
  u16,
  u32,
  udp,
} from '../helpers/craft.js';

export interface Unreadable {
  exit: 2;
  /** The byte offset the one-line message names. */
  offset: number;
  /** The cause, exactly as it follows "byte N: ". */
  cause: string;
}

export interface Readable {
  exit: 0;
  /** Records read (source.packets). */
  packets: number;
  /** source.errors, exactly: offset and reason. */
  errors: { offset: number; reason: string }[];
  /** The report's `malformed` table, exactly ({} when every packet decoded cleanly). */
  malformed: Record<string, number>;
  /** Packets per protocol, for the protocols named (others are not checked). */
  protocols?: Record<string, number>;
  /** Every conversation row, as "proto a b" → packets (a→b + b→a); checked exactly. */
  conversations: Record<string, number>;
  /** Other fields of `source` that the case is about (first_ts, bytes, linktypes, …). */
  source?: Record<string, unknown>;
}

/**
 * What the reference readers make of the file: libpcap 1.10 (`tcpdump --count -r`) and tshark
 * 4.0's wiretap (`tshark -r`), as packets read before each stops (0 when it refuses the file).
 * The test checks that the tools still say so. Where a count differs from wirestat's (its packet
 * count, or 0 for an unreadable file), `why` says why wirestat's is the one wanted.
 */
export interface Oracle {
  tcpdump: number;
  tshark: number;
  why?: string;
  /**
   * Where tshark read as many packets as wirestat, its TCP/UDP conversations and its endpoints
   * must agree with ours in packets and bytes each way (test/helpers/differential.ts), except
   * for the differences listed here, exactly, with the reason.
   */
  tsharkDiffers?: { why: string; mismatches: string[] };
}

export interface CraftedCase {
  /** File name under fixtures/crafted/. */
  file: string;
  /** The case as issue 8 lists it. */
  issue: string;
  /** Why this outcome is the right one. */
  why: string;
  build(): Buffer;
  expect: Unreadable | Readable;
  oracle: Oracle;
}

// --- building blocks -------------------------------------------------------------------------

const A = '198.18.0.1';
const B = '198.18.0.2';
const A6 = '2001:db8::1';
const B6 = '2001:db8::2';
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const IPPROTO_NONE = 59;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;

/** Ethernet + IPv4 + TCP SYN, 54 bytes: the packet every case puts beside its crafted one. */
const SYN = ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN)));
const SYN_CONV = `tcp ${A}:40000 ${B}:80`;
/** The other direction, so a case with two good packets still has one conversation. */
const SYN_ACK = ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, B, A, tcp(80, 40000, TCP_FLAGS.SYN | TCP_FLAGS.ACK)), '02 00 00 00 00 01', '02 00 00 00 00 02');

const PCAP_HEADER_LEN = 24;
const PCAP_RECORD_HEADER_LEN = 16;
/** Offsets inside a pcap record header. */
const INCL_LEN = 8;
const TS_FRAC = 4;
/** Offset of the n-th record (0-based) when every record before it holds `frameLen` bytes. */
const recordAt = (n: number, frameLen = SYN.length): number => PCAP_HEADER_LEN + n * (PCAP_RECORD_HEADER_LEN + frameLen);

const T0 = 1700000000;

/** A pcap of the SYN, the crafted frame, and the SYN-ACK (so the conversation is whole). */
function sandwich(crafted: PcapRecord, o: PcapOptions = {}): Buffer {
  return pcapFile([{ data: SYN }, crafted, { data: SYN_ACK }], o);
}

const SHB_LEN = shb().length; // 28
const IDB_LEN = idb(1).length; // 20
const EPB_SYN_LEN = epb(0, 0, 0, SYN).length; // 32 + 56 = 88
const NG_HEAD = SHB_LEN + IDB_LEN;
/** Offsets inside an EPB. */
const EPB_CAPLEN = 20;

/** pcapng: SHB, an Ethernet IDB, the SYN; then the crafted bytes; then the SYN-ACK if given. */
function ngSandwich(crafted: Buffer, after = true): Buffer {
  return Buffer.concat([shb(), idb(1), epb(0, 0, 0, SYN), crafted, ...(after ? [epb(0, 0, 0, SYN_ACK)] : [])]);
}

/** A 20-byte TCP header with a chosen data offset; the segment is just the header. */
const tcpDoff = (doff: number) => tcp(40000, 80, TCP_FLAGS.SYN, { dataOffset: doff });

// --- the table -------------------------------------------------------------------------------

export const CASES: CraftedCase[] = [
  // File headers: nothing can be read, exit 2.
  {
    file: 'pcap-shorter-than-magic.pcap',
    issue: 'file shorter than its header',
    why: 'three bytes cannot even name a format',
    build: () => bytes('d4 c3 b2'),
    expect: { exit: 2, offset: 0, cause: 'truncated file header (3 bytes)' },
    oracle: { tcpdump: 0, tshark: 1, why: "tshark's file-type heuristics take any unknown bytes for a file of their own and show it as one frame" },
  },
  {
    file: 'pcap-header-cut.pcap',
    issue: 'file shorter than its header',
    why: 'a pcap magic, then 20 of the 24 header bytes: no link type, so no packet can be read',
    build: () => pcapHeader().subarray(0, 20),
    expect: { exit: 2, offset: 0, cause: 'truncated pcap file header (20 of 24 bytes)' },
    oracle: { tcpdump: 0, tshark: 0 },
  },
  {
    file: 'pcapng-header-cut.pcapng',
    issue: 'file shorter than its header',
    why: 'a section header block cut after 20 of its 28 bytes',
    build: () => shb().subarray(0, 20),
    expect: { exit: 2, offset: 0, cause: 'truncated pcapng section header (20 bytes)' },
    oracle: { tcpdump: 0, tshark: 1, why: "tshark's file-type heuristics show the unreadable bytes as one frame of type file-pcapng" },
  },
  {
    file: 'unknown-magic.pcap',
    issue: 'unknown magic',
    why: 'a header whose first four bytes are no capture format',
    build: () => Buffer.concat([bytes('de ad be ef'), pcapHeader().subarray(4)]),
    expect: { exit: 2, offset: 0, cause: 'not a pcap or pcapng file (magic 0xefbeadde)' },
    oracle: { tcpdump: 0, tshark: 0 },
  },
  {
    file: 'pcap-version-1.0.pcap',
    issue: 'version other than 2.x',
    why: "major version 1 is libpcap's archaic format, with another record layout; libpcap refuses it too. The field is at byte 4",
    build: () => pcapFile([{ data: SYN }], { major: 1, minor: 0 }),
    expect: { exit: 2, offset: 4, cause: 'unsupported pcap version 1.0 (only 2.x exists)' },
    oracle: { tcpdump: 0, tshark: 0 },
  },
  {
    file: 'pcap-version-3.0.pcap',
    issue: 'version other than 2.x',
    why: 'a later major version would change the record layout, which we cannot guess',
    build: () => pcapFile([{ data: SYN }], { major: 3, minor: 0 }),
    expect: { exit: 2, offset: 4, cause: 'unsupported pcap version 3.0 (only 2.x exists)' },
    oracle: { tcpdump: 0, tshark: 1, why: 'tshark (wiretap) accepts every major version from 2 up; libpcap, like wirestat, only 2' },
  },
  {
    file: 'pcap-version-2.2.pcap',
    issue: 'version other than 2.x (the 2.x that is not 2.4)',
    why: 'any 2.x has the same layout: read as usual',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { major: 2, minor: 2 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 2 },
  },
  {
    file: 'pcapng-version-2.0.pcapng',
    issue: 'version other than 1.x (pcapng)',
    why: 'a section of an unknown major version cannot be framed; the field is at byte 12',
    build: () => Buffer.concat([shb(true, 2), idb(1), epb(0, 0, 0, SYN)]),
    expect: { exit: 2, offset: 12, cause: 'unsupported pcapng version 2.0' },
    oracle: { tcpdump: 0, tshark: 0 },
  },

  // Snap lengths: informational only, never a buffer size.
  {
    file: 'pcap-snaplen-0.pcap',
    issue: 'snaplen 0',
    why: 'the snap length is never used to size or cut anything: the packets read as usual',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { snaplen: 0 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 2 },
  },
  {
    file: 'pcap-snaplen-2147483649.pcap',
    issue: 'snaplen > 2^31',
    why: 'as for snaplen 0: 2^31 + 1 sizes nothing',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { snaplen: 2 ** 31 + 1 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 2 },
  },
  {
    file: 'pcap-snaplen-4294967295.pcap',
    issue: 'snaplen > 2^31',
    why: 'the largest value the field holds',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { snaplen: 0xffffffff }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 2 },
  },

  // Record lengths.
  {
    file: 'pcap-caplen-0.pcap',
    issue: 'record caplen 0',
    why: 'a record of no bytes is a record (a 60-byte frame of which nothing was kept): counted, its Ethernet header missing',
    build: () => sandwich({ data: Buffer.alloc(0), wirelen: 60 }),
    expect: {
      exit: 0,
      packets: 3,
      errors: [],
      malformed: { 'ethernet-truncated': 1 },
      conversations: { [SYN_CONV]: 2 },
      source: { bytes: SYN.length + 60 + SYN_ACK.length, captured_bytes: SYN.length + SYN_ACK.length },
    },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'pcap-caplen-262145.pcap',
    issue: 'record caplen > 262144',
    why: 'over the largest record any capture tool writes: the length is corruption, so framing is lost and reading stops after the good record',
    build: () => sandwich({ data: SYN, caplen: 262145 }),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: recordAt(1) + INCL_LEN, reason: 'record captured length 262145 exceeds 262144; stopped reading' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 3, why: 'after the bad length tshark guesses another pcap variant (its heuristics for modified pcap formats) and reads garbage frames; libpcap stops as wirestat does' },
  },
  {
    file: 'pcap-caplen-4294967295.pcap',
    issue: 'record caplen 0xFFFFFFFF',
    why: 'as for 262145, and nothing is allocated from it (the RSS test measures that)',
    build: () => sandwich({ data: SYN, caplen: 0xffffffff }),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: recordAt(1) + INCL_LEN, reason: 'record captured length 4294967295 exceeds 262144; stopped reading' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 2, why: 'as for caplen 262145: tshark switches to another pcap variant; libpcap stops as wirestat does' },
  },
  {
    file: 'pcapng-caplen-4294967295.pcapng',
    issue: 'record caplen 0xFFFFFFFF (pcapng)',
    why: 'an EPB whose captured length cannot fit its own block: that block is skipped, the block framing still holds',
    build: () => {
      const bad = epb(0, 0, 0, SYN);
      bad.writeUInt32LE(0xffffffff, EPB_CAPLEN);
      return ngSandwich(bad);
    },
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN + EPB_CAPLEN, reason: `captured length 4294967295 does not fit its ${EPB_SYN_LEN}-byte block; skipped` }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
    },
    oracle: { tcpdump: 1, tshark: 1, why: 'both stop at the bad packet block; wirestat skips it (its block framing is sound) and reads the SYN-ACK after it' },
  },
  {
    file: 'pcap-caplen-over-wirelen.pcap',
    issue: 'caplen > wire length',
    why: 'the bytes are there, so the packet is decoded from them; the contradiction is listed at the record',
    build: () => sandwich({ data: SYN, wirelen: 40 }),
    expect: {
      exit: 0,
      packets: 3,
      errors: [{ offset: recordAt(1) + INCL_LEN, reason: `record captured length ${SYN.length} exceeds its wire length 40` }],
      malformed: {},
      conversations: { [SYN_CONV]: 3 },
    },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'pcap-last-record-cut.pcap',
    issue: 'last record cut off',
    why: 'the file ends 10 bytes into the second frame: the first packet counts, the cut is listed where the record starts',
    build: () => {
      const f = pcapFile([{ data: SYN }, { data: SYN_ACK }]);
      return f.subarray(0, f.length - SYN_ACK.length + 10);
    },
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: recordAt(1), reason: `file ends inside a record (26 of ${PCAP_RECORD_HEADER_LEN + SYN_ACK.length} bytes)` }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },
  {
    file: 'pcap-last-record-header-cut.pcap',
    issue: 'last record cut off (inside its header)',
    why: 'the file ends 6 bytes into the second record header',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }]).subarray(0, recordAt(1) + 6),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: recordAt(1), reason: 'file ends inside a record header (6 of 16 bytes)' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },
  {
    file: 'pcapng-last-block-cut.pcapng',
    issue: 'last record cut off (pcapng)',
    why: 'the file ends inside the second packet block',
    build: () => {
      const f = ngSandwich(Buffer.alloc(0));
      return f.subarray(0, f.length - 30);
    },
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN, reason: `file ends inside a block (${EPB_SYN_LEN - 30} of ${EPB_SYN_LEN} bytes)` }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },

  // Timestamps.
  {
    file: 'pcap-usec-1000000.pcap',
    issue: 'µs ≥ 10^6',
    why: 'the fraction is carried into the seconds (10^6 µs is one second later) and listed',
    build: () => sandwich({ data: SYN, sec: T0, frac: 1_000_000 }),
    expect: {
      exit: 0,
      packets: 3,
      errors: [{ offset: recordAt(1) + TS_FRAC, reason: 'timestamp fraction 1000000 is not below 1000000' }],
      malformed: {},
      conversations: { [SYN_CONV]: 3 },
      source: { first_ts: T0, last_ts: T0 + 1 },
    },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'pcap-nsec-4294967295.pcap',
    issue: 'ns ≥ 10^9',
    why: 'the largest fraction a nanosecond file can hold: 4 s and 294967295 ns are carried, and listed',
    build: () => pcapFile([{ data: SYN, sec: T0 }, { data: SYN_ACK, sec: T0, frac: 0xffffffff }], { nanos: true }),
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: recordAt(1) + TS_FRAC, reason: 'timestamp fraction 4294967295 is not below 1000000000' }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
      source: { first_ts: T0, last_ts: T0 + 4.294967 },
    },
    oracle: { tcpdump: 2, tshark: 2 },
  },

  // Link types.
  {
    file: 'pcap-linktype-unknown.pcap',
    issue: 'unknown link type',
    why: 'link type 4660 is assigned to nothing: every record is read and counted as an undecoded link type',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { linktype: 4660 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, protocols: { unsupported_linktype: 2 }, conversations: {}, source: { linktypes: ['LINKTYPE_4660'] } },
    oracle: { tcpdump: 0, tshark: 0, why: 'tcpdump and tshark refuse a link type they cannot decode; wirestat reads the records and counts them under unsupported_linktype' },
  },
  {
    file: 'pcap-linktype-user0.pcap',
    issue: 'reserved link type',
    why: 'LINKTYPE_USER0 (147) is reserved for private use: its frames mean whatever the site decided, so they are counted, not decoded',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { linktype: 147 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, protocols: { unsupported_linktype: 2 }, conversations: {}, source: { linktypes: ['LINKTYPE_147'] } },
    oracle: { tcpdump: 2, tshark: 2 },
  },
  {
    file: 'pcap-linktype-reserved-bits.pcap',
    issue: 'reserved link type (reserved bits of the link-type field set)',
    why: 'bit 16 lies in the field\'s reserved bits, which libpcap keeps (it masks only the top six): 65537 is no link type we know',
    build: () => pcapFile([{ data: SYN }, { data: SYN_ACK }], { linktype: 0x00010001 }),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, protocols: { unsupported_linktype: 2 }, conversations: {}, source: { linktypes: ['LINKTYPE_65537'] } },
    oracle: { tcpdump: 0, tshark: 0, why: 'tcpdump and tshark refuse a link type they cannot decode; wirestat reads the records and counts them under unsupported_linktype' },
  },

  // pcapng framing: after the first section a framing error stops reading (exit 0, listed).
  {
    file: 'pcapng-block-length-8.pcapng',
    issue: 'pcapng block length < 12',
    why: 'a block cannot be shorter than its own header and trailer: framing is lost after the first packet',
    build: () => ngSandwich(block(6, Buffer.alloc(20), true, { length: 8 })),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN + 4, reason: 'block length 8 is shorter than 12; stopped reading' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },
  {
    file: 'pcapng-shb-length-8.pcapng',
    issue: 'pcapng block length < 12 (the first block)',
    why: 'before a section header is accepted the file is not readable at all',
    build: () => Buffer.concat([block(0x0a0d0d0a, Buffer.concat([u32(0x1a2b3c4d, true), u16(1, true), u16(0, true), Buffer.alloc(8, 0xff)]), true, { length: 8 }), idb(1), epb(0, 0, 0, SYN)]),
    expect: { exit: 2, offset: 4, cause: 'block length 8 is shorter than 12' },
    oracle: { tcpdump: 0, tshark: 0 },
  },
  {
    file: 'pcapng-block-length-30.pcapng',
    issue: 'pcapng block length not a multiple of 4',
    why: 'blocks are padded to 32 bits, so 30 is corruption; reading stops',
    build: () => ngSandwich(block(6, Buffer.alloc(20), true, { length: 30 })),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN + 4, reason: 'block length 30 is not a multiple of 4; stopped reading' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 3, why: 'tshark rounds the length up to a multiple of 4 and reads on (an empty frame, then the SYN-ACK); libpcap stops as wirestat does' },
  },
  {
    file: 'pcapng-block-trailer-mismatch.pcapng',
    issue: 'pcapng block header length ≠ trailer length',
    why: 'the two lengths disagree, so neither can be trusted; the offset is the trailer\'s',
    build: () => {
      const bad = epb(0, 0, 0, SYN_ACK);
      bad.writeUInt32LE(EPB_SYN_LEN + 4, bad.length - 4);
      return ngSandwich(bad, false);
    },
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: NG_HEAD + 2 * EPB_SYN_LEN - 4, reason: `block trailer length ${EPB_SYN_LEN + 4} differs from header length ${EPB_SYN_LEN}; stopped reading` }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },
  {
    file: 'pcapng-block-length-17mib.pcapng',
    issue: 'pcapng block length > 16 MiB',
    why: 'declared by its length field only (the file is small): over libpcap\'s 16 MiB limit the length is corruption, not a block to skip, so reading stops without reading or allocating it',
    build: () => ngSandwich(Buffer.concat([u32(6, true), u32(17 * 1024 * 1024, true), Buffer.alloc(64)]), false),
    expect: {
      exit: 0,
      packets: 1,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN + 4, reason: 'block length 17825792 is over 16777216; stopped reading' }],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },
  {
    file: 'pcapng-block-length-1mib-cut.pcapng',
    issue: 'pcapng block length > what we hold (and past the end of the file)',
    why: 'a packet block of 1 MiB is legal framing but cannot hold a packet we accept: it is skipped unread, and the file ends inside it',
    build: () => ngSandwich(Buffer.concat([u32(6, true), u32(1024 * 1024, true), Buffer.alloc(64)]), false),
    expect: {
      exit: 0,
      packets: 1,
      errors: [
        { offset: NG_HEAD + EPB_SYN_LEN, reason: 'packet block of 1048576 bytes exceeds 327680; skipped' },
        { offset: NG_HEAD + EPB_SYN_LEN + 72, reason: `file ends inside a skipped block (${1024 * 1024 - 72} bytes missing)` },
      ],
      malformed: {},
      conversations: { [SYN_CONV]: 1 },
    },
    oracle: { tcpdump: 1, tshark: 1 },
  },

  // pcapng options and interfaces.
  {
    file: 'pcapng-option-past-block.pcapng',
    issue: 'pcapng option running past its block',
    why: 'an if_name claiming 64 bytes in a 4-byte option area: the option walk stops there, the interface itself (link type) is sound and kept',
    build: () =>
      Buffer.concat([shb(), block(1, Buffer.concat([u16(1, true), u16(0, true), u32(0, true), u16(2, true), u16(64, true), Buffer.alloc(4)])), epb(0, 0, 0, SYN), epb(0, 0, 0, SYN_ACK)]),
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: SHB_LEN + 16, reason: 'option 2 of 64 bytes runs past its block' }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
    },
    oracle: { tcpdump: 0, tshark: 0, why: 'both reject the file at the interface block; wirestat keeps the interface (its link type is sound) and lists the option' },
  },
  {
    file: 'pcapng-epb-option-past-block.pcapng',
    issue: 'pcapng option running past its block (in a packet block)',
    why: 'packet block options (flags, hashes, comments) change nothing the report counts, so they are not read and an option running past is not seen: the packet decodes',
    build: () => {
      // The SYN-ACK's EPB with an opt_comment claiming 64 bytes in a 4-byte option area.
      const data = Buffer.concat([SYN_ACK, Buffer.alloc(2)]);
      const body = Buffer.concat([u32(0, true), u32(0, true), u32(0, true), u32(SYN_ACK.length, true), u32(SYN_ACK.length, true), data, u16(1, true), u16(64, true), Buffer.alloc(4)]);
      return Buffer.concat([shb(), idb(1), epb(0, 0, 0, SYN), block(6, body)]);
    },
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 1, why: 'libpcap does not read packet block options either; tshark does, and stops at the block' },
  },
  {
    file: 'pcapng-shb-option-past-block.pcapng',
    issue: 'pcapng option running past its block (in a section header)',
    why: 'section header options (hardware, OS, application) change nothing the report counts and are not read: the packets decode',
    build: () => {
      const body = Buffer.concat([u32(0x1a2b3c4d, true), u16(1, true), u16(0, true), Buffer.alloc(8, 0xff), u16(2, true), u16(64, true), Buffer.alloc(4)]);
      return Buffer.concat([block(0x0a0d0d0a, body), idb(1), epb(0, 0, 0, SYN), epb(0, 0, 0, SYN_ACK)]);
    },
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 2, tshark: 0, why: 'libpcap does not read section header options either; tshark does, and rejects the section' },
  },
  {
    file: 'pcapng-if-tsresol-out-of-range.pcapng',
    issue: 'if_tsresol out of range',
    why: '10^-127 s cannot be represented exactly: microseconds (the default) are used instead, and listed',
    build: () => Buffer.concat([shb(), idb(1, [option(9, bytes(0x7f))]), withTs(epb(0, 0, 0, SYN), T0 * 1e6), withTs(epb(0, 0, 0, SYN_ACK), T0 * 1e6 + 1)]),
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: SHB_LEN + 16, reason: 'if_tsresol 0x7f is out of range; microseconds used' }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
      source: { first_ts: T0, last_ts: T0 + 1e-6 },
    },
    oracle: { tcpdump: 0, tshark: 2, why: 'libpcap refuses the file at the interface block; tshark reads it (with timestamps of 0)' },
  },
  {
    file: 'pcapng-if-tsresol-repeated.pcapng',
    issue: 'if_tsresol repeated',
    why: 'milliseconds then nanoseconds: the first is used (as tshark uses it), the second listed',
    build: () => Buffer.concat([shb(), idb(1, [option(9, bytes(3)), option(9, bytes(9))]), withTs(epb(0, 0, 0, SYN), T0 * 1000), withTs(epb(0, 0, 0, SYN_ACK), T0 * 1000 + 1)]),
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: SHB_LEN + 16 + 8, reason: 'if_tsresol repeated; ignored (the first one decides)' }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
      source: { first_ts: T0, last_ts: T0 + 0.001 },
    },
    oracle: { tcpdump: 0, tshark: 2, why: 'libpcap refuses the file at the interface block; tshark reads it with the first if_tsresol, as wirestat does' },
  },
  {
    file: 'pcapng-undeclared-interface.pcapng',
    issue: 'packet for an undeclared interface',
    why: 'interface 3 was never described, so the packet has no link type: skipped and listed, the block framing is sound',
    build: () => ngSandwich(epb(3, 0, 0, SYN)),
    expect: {
      exit: 0,
      packets: 2,
      errors: [{ offset: NG_HEAD + EPB_SYN_LEN, reason: 'packet for undeclared interface 3; skipped' }],
      malformed: {},
      conversations: { [SYN_CONV]: 2 },
    },
    oracle: { tcpdump: 1, tshark: 1, why: 'both stop at the block; wirestat skips it (its block framing is sound) and reads the SYN-ACK after it' },
  },
  {
    file: 'pcapng-second-section-big-endian.pcapng',
    issue: 'a second section with the other byte order',
    why: 'each section declares its own byte order: both packets read, interface numbers restart',
    build: () => Buffer.concat([shb(true), idb(1, [], true), epb(0, 0, 0, SYN, true), shb(false), idb(1, [], false), epb(0, 0, 0, SYN_ACK, false)]),
    expect: { exit: 0, packets: 2, errors: [], malformed: {}, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 1, tshark: 2, why: 'libpcap 1.10 cannot change byte order between sections (it reads the big-endian length as 469762048); tshark reads both, as wirestat does' },
  },

  // Link-layer decoding.
  {
    file: 'ethernet-13-bytes.pcap',
    issue: 'Ethernet frame < 14 bytes',
    why: 'the EtherType is cut: counted under a named reason',
    build: () => sandwich({ data: SYN.subarray(0, 13) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ethernet-truncated': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'vlan-tag-cut.pcap',
    issue: 'VLAN tag cut off',
    why: 'an 802.1Q TPID, then 2 of the tag\'s 4 bytes',
    build: () => sandwich({ data: ethernet(ETHERTYPE_VLAN, bytes('00 64')) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'vlan-truncated': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'vlan-10-tags.pcap',
    issue: '10 stacked VLAN tags',
    why: 'real QinQ uses two tags, rarely three; past 8 the stack is taken as hostile (src/decode/vlan.ts MAX_VLAN_TAGS) and the packet is counted, not decoded',
    build: () => {
      const tags = Array.from({ length: 10 }, (_, i) => Buffer.concat([u16(100 + i), u16(i < 9 ? ETHERTYPE_VLAN : ETHERTYPE_IPV4)]));
      return sandwich({ data: Buffer.concat([SYN.subarray(0, 12), u16(ETHERTYPE_VLAN), ...tags, SYN.subarray(14)]) });
    },
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'vlan-too-deep': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: {
      tcpdump: 3,
      tshark: 3,
      tsharkDiffers: {
        why: 'tshark follows any number of tags and counts the tagged SYN in its conversation; wirestat stops at 8 by design',
        mismatches: [
          `tcp ${A}|40000 ${B}|80: tshark 2/148 + 1/54, wirestat 1/54 + 1/54 (packets/bytes a→b + b→a)`,
          `endpoint ${A}: tshark tx 2/148 rx 1/54, wirestat tx 1/54 rx 1/54`,
          `endpoint ${B}: tshark tx 1/54 rx 2/148, wirestat tx 1/54 rx 1/54`,
        ],
      },
    },
  },

  // IPv4.
  {
    file: 'ipv4-version-5.pcap',
    issue: 'IPv4 version ≠ 4',
    why: 'EtherType IPv4 but version 5: the header means nothing we can read',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { version: 5 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ip-bad-version': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-ihl-4.pcap',
    issue: 'IPv4 IHL < 5',
    why: 'a 16-byte header cannot hold the addresses',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { ihl: 4 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-bad-ihl': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-ihl-past-capture.pcap',
    issue: 'IPv4 IHL past the capture',
    why: 'a 60-byte header (IHL 15) of which a snap length kept 24 bytes: the capture ends before the header does',
    build: () => {
      const ip = ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { options: Buffer.alloc(40, 1) });
      const frame = ethernet(ETHERTYPE_IPV4, ip);
      return sandwich({ data: frame.subarray(0, 14 + 24), wirelen: frame.length });
    },
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-truncated': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-ihl-past-frame.pcap',
    issue: 'IPv4 IHL past the capture (the frame was captured whole)',
    why: 'IHL 15 and a total length to match, in a frame captured whole that holds 40 IP bytes: named truncated, as for any header longer than the bytes present (test/decode/decode.test.ts has the same case)',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { ihl: 15, totalLength: 80 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-truncated': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-total-length-below-header.pcap',
    issue: 'IPv4 total length < header',
    why: 'total length 19 cannot hold a 20-byte header',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { totalLength: 19 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-bad-total-length': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-total-length-0-tso.pcap',
    issue: 'IPv4 total length 0 (TSO)',
    why: 'segmentation offload leaves the length unset in captures taken on the sender: the datagram runs to the end of the frame, as tshark reads it',
    build: () =>
      sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.ACK, { seq: 1, ack: 1, payload: Buffer.alloc(1000, 0x61) }), { totalLength: 0 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: {}, conversations: { [SYN_CONV]: 3 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-option-length-0.pcap',
    issue: 'IPv4 option length 0',
    why: 'an option length below 2 cannot move the walk forward: named, and the transport header (at IHL) is still read',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { options: bytes('94 00 00 00') })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-bad-option': 1 }, conversations: { [SYN_CONV]: 3 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-option-length-1.pcap',
    issue: 'IPv4 option length 1',
    why: 'as length 0: a length byte that does not cover its own type and length',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { options: bytes('94 01 00 00') })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-bad-option': 1 }, conversations: { [SYN_CONV]: 3 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-option-too-long.pcap',
    issue: 'IPv4 option too long',
    why: 'an option of 8 bytes in a 4-byte option area',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcp(40000, 80, TCP_FLAGS.SYN), { options: bytes('94 08 00 00') })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv4-bad-option': 1 }, conversations: { [SYN_CONV]: 3 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv4-ah-past-end.pcap',
    issue: 'AH length past the end (IPv4)',
    why: 'an AH header claiming (255 + 2) × 4 bytes in a 16-byte remainder',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_AH, A, B, bytes('06 ff 0000 00000001 00000001 00000000'))) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ah-truncated': 1 }, conversations: { [SYN_CONV]: 2, [`ah ${A} ${B}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },

  // IPv6.
  {
    file: 'ipv6-39-bytes.pcap',
    issue: 'IPv6 < 40 bytes',
    why: 'the destination address is cut',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV6, ipv6(IPPROTO_TCP, A6, B6, Buffer.alloc(0)).subarray(0, 39)) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv6-truncated': 1 }, conversations: { [SYN_CONV]: 2 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv6-payload-length-0.pcap',
    issue: 'IPv6 payload length 0 without jumbo',
    why: 'without a jumbo option the payload is empty (RFC 8200 §3): the TCP header after it is not part of the datagram',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV6, ipv6(IPPROTO_TCP, A6, B6, tcp(40000, 80, TCP_FLAGS.SYN), { payloadLength: 0 })) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv6-zero-payload-length': 1 }, conversations: { [SYN_CONV]: 2, [`tcp ${A6} ${B6}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv6-ext-chain-8000.pcap',
    issue: 'an 8,000-deep IPv6 extension-header chain',
    why: '8,000 destination-options headers (64,000 bytes): the walk stops after 16 and names the reason, in bounded time',
    build: () => {
      const padN4 = '00 01 04 00 00 00 00'; // header length 0 (8 bytes); PadN of 4
      const ext = bytes(IPPROTO_DSTOPTS, padN4);
      const last = bytes(IPPROTO_NONE, padN4);
      const chain = Buffer.concat([...Array.from({ length: 7999 }, () => ext), last]);
      return sandwich({ data: ethernet(ETHERTYPE_IPV6, ipv6(IPPROTO_DSTOPTS, A6, B6, chain)) });
    },
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv6-ext-chain-too-long': 1 }, conversations: { [SYN_CONV]: 2, [`ip-proto-60 ${A6} ${B6}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'ipv6-ah-past-end.pcap',
    issue: 'an AH length past the end (IPv6)',
    why: 'an AH header claiming (255 + 2) × 4 bytes where 16 remain',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV6, ipv6(IPPROTO_AH, A6, B6, bytes('06 ff 0000 00000001 00000001 00000000'))) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'ipv6-ext-truncated': 1 }, conversations: { [SYN_CONV]: 2, [`ah ${A6} ${B6}`]: 1 } },
    oracle: {
      tcpdump: 3,
      tshark: 3,
      tsharkDiffers: {
        why: "tshark's IPv6 endpoint tap runs after the extension headers, so a frame whose AH it cannot walk gets no IPv6 endpoints; wirestat counts the endpoints of the sound IPv6 header before it",
        mismatches: [`endpoint [${A6}]: wirestat has it, tshark does not`, `endpoint [${B6}]: wirestat has it, tshark does not`],
      },
    },
  },

  // TCP and UDP.
  {
    file: 'tcp-data-offset-4.pcap',
    issue: 'TCP data offset < 5',
    why: 'a 16-byte TCP header cannot hold its own fixed fields',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcpDoff(4))) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'tcp-bad-data-offset': 1 }, conversations: { [SYN_CONV]: 2, [`tcp ${A} ${B}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'tcp-data-offset-past-segment.pcap',
    issue: 'TCP data offset past the segment',
    why: 'data offset 15 (60 bytes) in a 20-byte segment that was captured whole',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_TCP, A, B, tcpDoff(15))) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'tcp-bad-data-offset': 1 }, conversations: { [SYN_CONV]: 2, [`tcp ${A} ${B}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'udp-length-7.pcap',
    issue: 'UDP length < 8',
    why: 'a UDP length below its own header size (over IPv4, where 0 means nothing either)',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_UDP, A, B, udp(5353, 53, Buffer.alloc(4), 7))) }),
    expect: { exit: 0, packets: 3, errors: [], malformed: { 'udp-bad-length': 1 }, conversations: { [SYN_CONV]: 2, [`udp ${A} ${B}`]: 1 } },
    oracle: { tcpdump: 3, tshark: 3 },
  },
  {
    file: 'udp-length-past-datagram.pcap',
    issue: 'UDP length past the datagram',
    why: 'UDP length 100 in a 12-byte IP payload: the ports are readable, so the datagram is counted in its conversation and the length named',
    build: () => sandwich({ data: ethernet(ETHERTYPE_IPV4, ipv4(IPPROTO_UDP, A, B, udp(5353, 53, Buffer.alloc(4), 100))) }),
    expect: {
      exit: 0,
      packets: 3,
      errors: [],
      malformed: { 'udp-length-past-datagram': 1 },
      conversations: { [SYN_CONV]: 2, [`udp ${A}:5353 ${B}:53`]: 1 },
    },
    oracle: { tcpdump: 3, tshark: 3 },
  },
];

/** Rewrites an EPB's 64-bit timestamp (little-endian section) to `units`. */
function withTs(epbBlock: Buffer, units: number): Buffer {
  const b = Buffer.from(epbBlock);
  b.writeUInt32LE(Math.floor(units / 2 ** 32), 12);
  b.writeUInt32LE(units % 2 ** 32, 16);
  return b;
}
