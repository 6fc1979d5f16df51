/**
 * The host's view recorded beside a live capture (FILE.host.json): the first snapshot, a line
 * when the socket table changes, and the last one after stop, every line a snapshot document
 * that `--host` reads back; each snapshot taken is also handed to the caller (the join).
 * Snapshots of this machine, read-only: no root and no network needed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { besidePath, recordHost } from '../../src/cli/host-record.js';

t.test('besidePath', async (t) => {
  t.equal(besidePath('x.pcap'), 'x.pcap.host.json');
  t.equal(besidePath('-'), null, 'standard output: nowhere beside');
  t.equal(besidePath(undefined), null);
  t.equal(besidePath('/dev/null'), null, 'not beside a device');
});

t.test('a file beside that cannot be written: one line, and the snapshots go on', async (t) => {
  const warned: string[] = [];
  let taken = 0;
  const rec = recordHost('/nonexistent-dir/x.pcap.host.json', () => taken++, (w) => warned.push(w), 50);
  await new Promise((r) => setTimeout(r, 200));
  await rec.stop();
  t.equal(warned.length, 1, 'said once');
  t.match(warned[0], /^wirestat: \/nonexistent-dir\/x\.pcap\.host\.json: cannot write the host view \(ENOENT\); capturing without it\n$/);
  t.ok(taken >= 2, 'the join still gets every snapshot');
});

t.test('first, on change, last', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'wirestat-rec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.pcap.host.json');
  let taken = 0;
  const rec = recordHost(file, () => taken++, (w) => t.fail(w), 100);
  await new Promise((r) => setTimeout(r, 400));
  // A listener of our own appears: the socket table changed, so a line is written for it.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => setTimeout(r, 400));
  await rec.stop();
  server.close();
  const after = taken;
  await new Promise((r) => setTimeout(r, 250));
  t.equal(taken, after, 'nothing taken after stop');
  const snaps = loadHostSnapshots(file);
  t.ok(taken >= 4, `snapshots taken each 100 ms (${taken})`);
  t.ok(snaps.length >= 2 && snaps.length <= taken, `${snaps.length} lines of ${taken} snapshots`);
  const times = snaps.map((s) => s.time);
  t.same(times, [...times].sort((x, y) => x - y), 'in time order');
  const listens = (i: number) => snaps[i]!.sockets.some((s) => s.proto !== 'unix' && s.local === `127.0.0.1:${port}`);
  t.notOk(listens(0), 'the first line is from before the listener');
  t.ok(listens(snaps.length - 1), 'the last line has it');
});
