/**
 * `wirestat report -i e0 --export ipfix://…` in the namespace lab (test/lab/lab.ts): a fixture
 * replayed into the hub while Debian's nfcapd listens on the sensor's loopback; after SIGINT,
 * `nfdump -R` lists every direction of every conversation of the live report with its packets
 * and bytes. Needs root and nfdump: skipped with one line otherwise, a failure when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { directions, nfdumpDirections } from '../helpers/flows.js';
import { gateLab, SENSOR_IF, withLab } from '../lab/lab.js';

const PORT = 4739;

t.test('live export: nfcapd in the sensor namespace gets what the live report counts', async (t) => {
  if (!gateLab(t)) return;
  if (spawnSync('sh', ['-c', 'command -v nfcapd && command -v nfdump']).status !== 0) {
    if (process.env.CI === 'true') t.fail('nfcapd and nfdump are needed: apt-get install nfdump');
    else t.plan(0, 'skip: nfcapd/nfdump not installed (apt-get install nfdump)');
    return;
  }
  await withLab({}, async (lab) => {
    await lab.exec('sensor', 'ip', ['link', 'set', 'lo', 'up']);
    const dir = join(lab.dir, 'nfcapd');
    await lab.exec('sensor', 'mkdir', ['-p', dir]);
    const collector = lab.spawn('sensor', 'nfcapd', ['-w', dir, '-b', '127.0.0.1', '-p', String(PORT), '-t', '3600', '-B', '8000000'], { maxSeconds: 60 });
    await new Promise((r) => setTimeout(r, 500));
    const live = lab.spawn('sensor', process.execPath, [CLI, 'report', '-i', SENSOR_IF, '--json', '--export', `ipfix://127.0.0.1:${PORT}`], { maxSeconds: 60 });
    await live.waitFor(/listening on /, { timeoutMs: 15_000 });
    await lab.replay(join(ROOT, 'fixtures/captures/demo.pcap'));
    await new Promise((r) => setTimeout(r, 300));
    const end = await live.stop('SIGINT', 10_000);
    t.equal(end.code, 0, 'wirestat exits 0 after SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    await collector.stop('SIGTERM', 5000);
    const report = JSON.parse(live.stdout) as Report;
    const want = directions(report.conversations);
    t.ok(report.source.packets > 2000, `the live report counted ${report.source.packets} packets`);
    const got = await nfdumpDirections(dir);
    t.same(got, want, `${want.size} directions, in nfdump with the live report's packets and bytes`);
    t.match(collector.stderr + collector.stdout, /Sequence Errors: 0, Bad Packets: 0/);
  });
});
