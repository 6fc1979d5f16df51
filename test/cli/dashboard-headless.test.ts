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
