/**
 * A separate process that writes through the built PcapWriter (dist/), for the tests that need one:
 * killed with SIGKILL, run as another user, on a full file system, or writing into a pipe.
 *
 *   loop OUT FIXTURE BUFFER   writes FIXTURE's records over and over, paced like a live capture
 *                             (a batch every 2 ms), printing `flushed N` whenever N records have
 *                             reached the kernel; stops by itself after 20 s or 2,000,000 records
 *   copy FIXTURE OUT [touch]  writes FIXTURE's records to OUT (`-`: standard output), then closes;
 *                             `touch` first makes Node turn standard output non-blocking
 *   fill OUT                  writes 1000-byte records until an error; prints the outcome as JSON
 *
 * A PcapWriterError is printed on stderr as its one-line message, exit status 2.
 */
import { readCapture } from '../../dist/capture/reader.js';
import { PcapWriter, PcapWriterError } from '../../dist/capture/pcap-writer.js';
import { CaptureRecord } from '../../dist/capture/source.js';

const [mode, a, b, c] = process.argv.slice(2);

async function load(file) {
  const recs = [];
  const summary = await readCapture(file, (r) => {
    const copy = new CaptureRecord();
    copy.buf = Buffer.from(r.data);
    copy.caplen = r.caplen;
    copy.wirelen = r.wirelen;
    copy.tsSec = r.tsSec;
    copy.tsNsec = r.tsNsec;
    copy.linktype = r.linktype;
    recs.push(copy);
  });
  return { recs, summary };
}

function say(line) {
  process.stdout.write(`${line}\n`);
}

try {
  if (mode === 'loop') {
    const { recs } = await load(b);
    const w = PcapWriter.open({ path: a, linktype: recs[0].linktype, bufferSize: Number(c) });
    const started = Date.now();
    let i = 0;
    let shown = 0;
    const batch = () => {
      for (let k = 0; k < 50; k++) {
        const r = recs[i % recs.length];
        r.tsSec = 1700000000 + Math.floor(i / 1000);
        w.write(r);
        i++;
      }
      if (w.recordsFlushed !== shown) say(`flushed ${(shown = w.recordsFlushed)}`);
      if (Date.now() - started < 20000 && i < 2_000_000) setTimeout(batch, 2);
      else w.close();
    };
    say('started');
    batch();
  } else if (mode === 'copy') {
    if (c === 'touch') void process.stdout; // Node sets O_NONBLOCK on a piped fd 1 here
    const { recs } = await load(a);
    const w = PcapWriter.open({ path: b, linktype: recs[0].linktype });
    for (const r of recs) w.write(r);
    w.close();
  } else if (mode === 'fill') {
    const rec = new CaptureRecord();
    rec.buf = Buffer.alloc(1000, 0xab);
    rec.caplen = rec.wirelen = 1000;
    rec.linktype = 1;
    let timerError = null;
    const w = PcapWriter.open({ path: a, linktype: 1, snaplen: 2000, bufferSize: 64 * 1024, onError: (e) => (timerError = e.message) });
    let thrown = null;
    try {
      for (let i = 0; i < 1_000_000; i++) w.write(rec);
    } catch (e) {
      if (!(e instanceof PcapWriterError)) throw e;
      thrown = { message: e.message, kind: e.kind, code: e.code };
    }
    let closeError = null;
    try {
      w.close();
    } catch (e) {
      closeError = e.message;
    }
    say(JSON.stringify({ thrown, timerError, closeError, records: w.records, flushed: w.recordsFlushed }));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (e) {
  if (!(e instanceof PcapWriterError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 2;
}
