/**
 * The text mode's block (formatTick): with a host view, one line under the summary with the
 * figures of the report's `local` section (host share, explained share of the host, unexplained
 * and third-party flows, quiet sockets); without one, no such line. The demo replayed through
 * the same ReplayRun and DashboardLoop as `wirestat replay --host` when not on a terminal.
 */
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { DashboardLoop, staticHost, textSink } from '../../src/cli/dashboard-run.js';
import { ReplayRun } from '../../src/cli/replay-run.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { localSection } from '../../src/stats/local-report.js';
import { ROOT } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');

async function lastBlock(withHost: boolean, width = 160): Promise<{ block: string[]; run: ReplayRun }> {
  const run = new ReplayRun(DEMO, { speed: 'max' });
  const out: string[] = [];
  const loop = new DashboardLoop(run, staticHost(withHost ? loadHostSnapshots(DEMO_HOST) : []), textSink((s) => out.push(s), width));
  await run.run();
  loop.tick();
  return { block: out[out.length - 1]!.trimEnd().split('\n'), run };
}

t.test("with the host: the local line carries the report section's figures", async (t) => {
  const { block, run } = await lastBlock(true);
  const want = localSection(run.stats, new LocalJoin(loadHostSnapshots(DEMO_HOST)));
  const pct = (x: number | null) => `${(x! * 100).toFixed(1)}%`;
  const g = (n: number) => n.toLocaleString('en-US');
  t.match(block[0], new RegExp(`packets ${g(run.stats.packets)} `), 'the summary line first');
  t.equal(
    block[1],
    `  local: this host ${pct(want.share.host_packets)} of packets, explained ${pct(want.share.explained_of_host_packets)} of host; ` +
      `unexplained ${g(want.unexplained.conversations)} flows/${g(want.unexplained.packets)} pkts; ` +
      `third-party ${g(want.third_party.conversations)} flows/${g(want.third_party.packets)} pkts; quiet sockets ${want.quiet_sockets.length}`,
  );
  t.equal(block[1], '  local: this host 65.4% of packets, explained 77.3% of host; unexplained 27 flows/320 pkts; third-party 35 flows/738 pkts; quiet sockets 0', 'the demo, in numbers');
  t.match(block[2], /^  tcp /, 'then the flows');
  t.notMatch(block.join('\n'), /[^\x00-\x7f]/, 'plain ASCII');

  const narrow = await lastBlock(true, 60);
  t.equal(narrow.block[1], block[1]!.slice(0, 60), 'cut to the width as every line is');
});

t.test('without a host view: no local line', async (t) => {
  const { block, run } = await lastBlock(false);
  t.match(block[0], new RegExp(`packets ${run.stats.packets.toLocaleString('en-US')} `));
  t.notMatch(block.join('\n'), /local:/);
  t.match(block[1], /^  \S+ /, 'the flows right under the summary');
});
