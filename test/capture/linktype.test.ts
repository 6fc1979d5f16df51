// Differential test: linktypeName/linktypeDescription must print exactly what
// tcpdump (i.e. libpcap) prints for a pcap file with that header link type.
// tcpdump is required, not optional: CI installs it, and skipping would let the
// table drift from libpcap unnoticed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINKTYPE, linktypeDescription, linktypeFromName, linktypeName } from '../../src/capture/linktype.js';

const TCPDUMP = process.env.TCPDUMP ?? 'tcpdump';

// Every value the table could hold (it was generated from 0..300), so both each
// named entry and each gap (2-5, 14, USER0..15 = 147..162, 290+) is compared.
const SCANNED_MAX = 300;
// Plus header fields outside that range: the top FCS bits are masked off by
// libpcap (0x10000001 is Ethernet), bits 16..25 are not (0x02000001 is unknown).
const EXTRA_FIELDS = [65535, 0x1000_0001, 0x2000_0065, 0x0200_0001, 0xffff_ffff];

/** A little-endian pcap file (v2.4, microsecond) holding one 4-byte record. */
function onePacketPcap(linktypeField: number): Buffer {
  const file = Buffer.alloc(24 + 16 + 4);
  file.writeUInt32LE(0xa1b2c3d4, 0); // magic
  file.writeUInt16LE(2, 4); // version major
  file.writeUInt16LE(4, 6); // version minor
  file.writeUInt32LE(65535, 16); // snaplen
  file.writeUInt32LE(linktypeField, 20);
  file.writeUInt32LE(1, 24); // ts_sec
  file.writeUInt32LE(4, 32); // caplen
  file.writeUInt32LE(4, 36); // len
  file.writeUInt32LE(0x45, 40); // payload, irrelevant here
  return file;
}

/** "link-type EN10MB (Ethernet)" -> EN10MB/Ethernet; "link-type 147" -> LINKTYPE_147/''. */
function tcpdumpLinktype(file: string): string {
  const run = spawnSync(TCPDUMP, ['-n', '-c', '1', '-r', file], { encoding: 'utf8' });
  if (run.error) throw run.error;
  // Descriptions may contain parentheses ("Broadcom tag (prepended)"), so the
  // description runs up to the last ")" before ", snapshot length".
  const m = /, link-type (\S+)(?: \((.*)\))?, snapshot length/.exec(run.stderr);
  if (!m) throw new Error(`unexpected tcpdump output for ${file}: ${run.stderr}`);
  const [, name, description] = m;
  return description === undefined ? `LINKTYPE_${name}\t` : `${name}\t${description}`;
}

const version = spawnSync(TCPDUMP, ['--version'], { encoding: 'utf8' });
if (version.error || version.status !== 0) {
  t.fail(
    `tcpdump is required for this differential test but could not be run as ` +
      `'${TCPDUMP}' (${version.error?.message ?? version.stderr}). ` +
      `Install it (e.g. apt-get install tcpdump) or set TCPDUMP=/path/to/tcpdump.`,
  );
} else {
  const versions = version.stdout.trim().replace(/\n/g, '; ');

  t.test('names and descriptions match tcpdump', t => {
    const dir = mkdtempSync(join(tmpdir(), 'wirestat-linktype-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));

    const fields = [...Array.from({ length: SCANNED_MAX + 1 }, (_, i) => i), ...EXTRA_FIELDS];
    const ours: string[] = [];
    const theirs: string[] = [];
    // One short-lived process per file, run sequentially: ~300 spawns of a
    // few ms each is well under the time budget and keeps ordering simple.
    for (const field of fields) {
      const file = join(dir, `${field}.pcap`);
      writeFileSync(file, onePacketPcap(field));
      ours.push(`${field}\t${linktypeName(field)}\t${linktypeDescription(field)}`);
      theirs.push(`${field}\t${tcpdumpLinktype(file)}`);
    }
    t.same(
      ours,
      theirs,
      `table (generated from libpcap 1.10.3) vs ${versions}; regenerate the table if libpcap changed`,
    );
    t.end();
  });

  t.test('spot checks of the quirks the table encodes', t => {
    // Every constant we decode is spelled the way libpcap spells it.
    for (const [key, value] of Object.entries(LINKTYPE)) t.equal(linktypeName(value), key);
    t.equal(linktypeName(12), 'RAW', '12 passes through to DLT_RAW on Linux');
    t.equal(linktypeName(101), 'RAW', '101 is remapped to DLT_RAW');
    t.equal(linktypeDescription(101), 'Raw IP');
    t.equal(linktypeName(14), 'LINKTYPE_14', 'DLT_RAW only on OpenBSD');
    t.equal(linktypeName(147), 'LINKTYPE_147', 'USER0 has no libpcap name');
    t.equal(linktypeDescription(147), '');
    t.equal(linktypeName(0x1000_0001), 'EN10MB', 'FCS bits are ignored');
    t.equal(linktypeName(-1), 'LINKTYPE_-1', 'not a uint32: unknown, not masked');
    t.equal(linktypeName(1.5), 'LINKTYPE_1.5');
    t.end();
  });
}

// The helper backend learns its link type from tcpdump's "listening on …, link-type NAME" line;
// the value must be the one tcpdump then writes into the pcap header.
t.test('linktypeFromName: the value a savefile header carries for a printed name', t => {
  for (const [key, value] of Object.entries(LINKTYPE)) t.equal(linktypeFromName(key), value, key);
  t.equal(linktypeFromName('RAW'), 101, 'DLT_RAW (12) is written as LINKTYPE_RAW (101)');
  t.equal(linktypeFromName('ATM_RFC1483'), 100, 'DLT 11 is written as 100');
  t.equal(linktypeFromName('147'), 147, 'a number tcpdump prints for an unnamed type');
  t.equal(linktypeFromName('NO_SUCH_TYPE'), null);
  t.end();
});
