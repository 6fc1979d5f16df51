/// <reference path="../types/pcap-parser.d.ts" />
/**
 * Differential: records read from classic pcap files equal pcap-parser's, record for record
 * (timestamp, captured length, wire length, bytes). pcap-parser reads only the microsecond magic
 * and trusts every length, so where we stop at a record claiming over 262144 bytes we compare
 * the records before it; where we read a file to its end, the counts must match too.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import pcapParser, { type PacketHeader } from 'pcap-parser';
import t from 'tap';
import { CORPUS } from '../helpers/corpus.js';
import { readCapture } from '../../src/capture/reader.js';
import { ROOT } from '../helpers/cli.js';


interface Rec {
  sec: number;
  usec: number;
  caplen: number;
  wirelen: number;
  data: Buffer;
}

function magic(file: string): string {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(4);
  const n = readSync(fd, b, 0, 4, 0);
  closeSync(fd);
  return n === 4 ? b.toString('hex') : '';
}

function theirs(file: string): Promise<{ recs: Rec[]; error: string | null }> {
  return new Promise((resolve) => {
    const recs: Rec[] = [];
    let error: string | null = null;
    const p = pcapParser.parse(file);
    p.on('packet', (pkt: { header: PacketHeader; data: Buffer }) =>
      recs.push({
        sec: pkt.header.timestampSeconds,
        usec: pkt.header.timestampMicroseconds,
        caplen: pkt.header.capturedLength,
        wirelen: pkt.header.originalLength,
        data: Buffer.from(pkt.data),
      }),
    );
    p.on('error', (e: Error) => (error = e.message));
    p.on('end', () => resolve({ recs, error }));
  });
}

async function ours(file: string): Promise<{ recs: Rec[]; stopped: boolean; errors: number }> {
  const recs: Rec[] = [];
  const s = await readCapture(
    file,
    (r) =>
      recs.push({ sec: r.tsSec, usec: r.tsNsec / 1000, caplen: r.caplen, wirelen: r.wirelen, data: Buffer.from(r.data) }),
    // A small chunk makes many records straddle reads: the reassembly path is exercised too.
    { chunkSize: 4096 },
  );
  return { recs, stopped: s.stoppedEarly, errors: s.errors.length };
}

const dirs = [join(ROOT, 'fixtures/captures'), join(CORPUS, 'tcpdump-tests'), join(CORPUS, 'zeek-traces')];
const files = dirs
  .filter(existsSync)
  .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
  // The microsecond magic, either byte order: what pcap-parser reads.
  .filter((f) => ['d4c3b2a1', 'a1b2c3d4'].includes(magic(f)))
  .sort();

t.test('pcap-parser and wirestat read the same records', async (t) => {
  t.ok(files.length > 1000, `${files.length} classic pcap files`);
  let records = 0;
  const problems: string[] = [];
  for (const file of files) {
    const [a, b] = await Promise.all([ours(file), theirs(file)]);
    const n = a.recs.length;
    if (b.recs.length < n) problems.push(`${file}: pcap-parser read ${b.recs.length} records, wirestat ${n}`);
    else if (!a.stopped && a.errors === 0 && b.recs.length !== n) {
      problems.push(`${file}: pcap-parser read ${b.recs.length} records, wirestat ${n} without any error`);
    }
    for (let i = 0; i < Math.min(n, b.recs.length); i++) {
      const x = a.recs[i]!;
      const y = b.recs[i]!;
      // Our microseconds are normalised below 10^6 (an overflow is carried into seconds).
      const sameTime = x.sec * 1e6 + x.usec === y.sec * 1e6 + y.usec;
      if (!sameTime || x.caplen !== y.caplen || x.wirelen !== y.wirelen || !x.data.equals(y.data)) {
        problems.push(`${file}: record ${i} differs`);
        break;
      }
    }
    records += n;
  }
  t.same(problems, [], `${records} records compared`);
  t.comment(`${files.length} files, ${records} records equal to pcap-parser's`);
});
