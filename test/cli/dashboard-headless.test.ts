/**
 * The dashboard's real start-up path, headless: demo.pcap replayed (as fast as it reads, so the
 * capture's own clock drives the rates and nothing depends on the test machine's time) through
 * the same ReplayRun, DashboardLoop and TUI as `wirestat replay`, into a fake terminal of fixed
 * size; whole screens compared with golden files in fixtures/tui/ after keys sent as input.
 * UPDATE_GOLDEN=1 rewrites the golden files (then read the diff before committing it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { attachTui, loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import { DashboardLoop, noSink, staticHost } from '../../src/cli/dashboard-run.js';
import { ReplayRun } from '../../src/cli/replay-run.js';
import { LocalJoin } from '../../src/stats/local-join.js';
import { localSection } from '../../src/stats/local-report.js';
import { fakeTerminal, KEYS } from '../../src/tui/fake-terminal.js';
import { ROOT } from '../helpers/cli.js';

/** Relative (tap runs tests in the project root): the header shows the name as given, and a
 *  golden screen must not depend on where the checkout is. */
const DEMO = 'fixtures/captures/demo.pcap';
const DEMO_HOST = join(ROOT, 'fixtures/captures/demo-host.json');
const GOLDEN = join(ROOT, 'fixtures/tui');

function golden(t: Tap.Test, name: string, screen: string): void {
  const file = join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, screen + '\n');
    if (process.env.UPDATE_GOLDEN !== '1') t.fail(`${name}: no golden file yet; wrote ${file} (check it, then commit)`);
    return;
  }
  t.equal(screen + '\n', readFileSync(file, 'utf8'), `${name} equals its golden screen`);
}

/** Renders happen synchronously on show(); a key's effect needs one turn of the event loop. */
const settle = () => new Promise((r) => setImmediate(r));

for (const [cols, rows] of [
  [80, 24],
  [200, 60],
] as const) {
  t.test(`demo replay at ${cols}×${rows}`, async (t) => {
    t.equal(process.cwd(), ROOT.replace(/\/$/, ''), 'run from the project root');
    const run = new ReplayRun(DEMO, { speed: 'max' });
    const host = existsSync(DEMO_HOST) ? loadHostSnapshots(DEMO_HOST) : [];
    const loop = new DashboardLoop(run, staticHost(host), noSink);
    const term = fakeTerminal(cols, rows);
    const { quitted } = await attachTui(loop, term.tui);
    await run.run();
    loop.tick();
    golden(t, `replay-demo-${cols}x${rows}`, term.text());

    term.input.send('s');
    await settle();
    golden(t, `replay-demo-${cols}x${rows}-sort-packets`, term.text());

    term.input.send('/');
    await settle();
    term.input.send('udp');
    term.input.send(KEYS.enter);
    await settle();
    golden(t, `replay-demo-${cols}x${rows}-filter-udp`, term.text());

    term.input.send(KEYS.enter);
    await settle();
    golden(t, `replay-demo-${cols}x${rows}-detail`, term.text());
    term.input.send(KEYS.escape);

    term.input.send(' ');
    await settle();
    t.match(term.text(), /paused/i, 'space: paused');

    term.input.send('q');
    await quitted;
    t.pass('q resolves the quit');
    term.tui.restore();
    t.ok(term.tui.restored, 'terminal given back');
  });
}

t.test('l through the real loop: the Dashboard filters by label, the title and the comparison say so', async (t) => {
  const run = new ReplayRun(DEMO, { speed: 'max' });
  const host = loadHostSnapshots(DEMO_HOST);
  const loop = new DashboardLoop(run, staticHost(host), noSink, { rows: 1000 });
  const term = fakeTerminal(80, 24);
  const { quitted } = await attachTui(loop, term.tui);
  await run.run();
  loop.tick();
  const want = localSection(run.stats, new LocalJoin(host));

  const marks = (screen: string) =>
    screen
      .split('\n')
      .slice(5, 23)
      .filter((l) => /^[ *!] (tcp|udp|icmp|icmpv6) /.test(l))
      .map((l) => l[0]);
  for (const [presses, label, mark, n] of [
    [1, 'host', null, want.explained.conversations + want.unexplained.conversations],
    [1, 'explained', '*', want.explained.conversations],
    [1, 'unexplained', '!', want.unexplained.conversations],
    [1, 'third-party', ' ', want.third_party.conversations],
  ] as const) {
    for (let i = 0; i < presses; i++) term.input.send('l');
    await settle();
    const screen = term.text();
    t.equal(loop.dashboard.labelFilter, label, `${label}: the dashboard's filter`);
    t.match(screen.split('\n')[3], new RegExp(`${n} of ${run.stats.conversations.size}.*labels: ${label}`), `${label}: ${n} flows, named in the title`);
    const shown = marks(screen);
    t.ok(shown.length > 0, `${label}: rows on screen`);
    if (mark !== null) t.ok(shown.every((m) => m === mark), `${label}: every row marked '${mark}'`);
    else t.ok(shown.every((m) => m === '*' || m === '!'), 'host: * and ! rows only');
    if (label === 'unexplained') golden(t, 'replay-demo-80x24-labels-unexplained', screen);
  }
  term.input.send('l');
  await settle();
  t.equal(loop.dashboard.labelFilter, null, 'and back to all');

  term.input.send('2');
  await settle();
  const local = term.text().split('\n');
  const pct = (x: number | null) => `${(x! * 100).toFixed(1)}%`;
  t.match(local[4], `this host ${pct(want.share.host_packets)}`, "the comparison: the report's host share");
  t.match(local[4], `explained ${pct(want.share.explained_of_host_packets)} of host`);
  t.match(local[5], `unexplained ${want.unexplained.conversations} flows/${want.unexplained.packets} pkts`);
  t.match(local[6], `quiet: ${want.quiet_sockets.length} established`);
  golden(t, 'replay-demo-80x24-local', term.text());

  term.input.send('q');
  await quitted;
  term.tui.restore();
});
