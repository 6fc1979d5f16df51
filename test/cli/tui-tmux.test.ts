/**
 * The TUI in a real terminal: `wirestat replay` runs under tmux (its own server socket), keys
 * go in with send-keys, and the pane is read with capture-pane. Checks the first screen, the
 * sort key, the flow filter prompt, help, pause, and that `q` exits 0 and gives the terminal
 * back (the pane shows the shell again, not the dashboard). At 80×24 and 200×60.
 * Needs tmux: skipped with one line without it, a failure when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { CLI, ROOT } from '../helpers/cli.js';

const DEMO = join(ROOT, 'fixtures/captures/demo.pcap');
const haveTmux = spawnSync('sh', ['-c', 'command -v tmux'], { stdio: 'ignore' }).status === 0;
const SOCKET = `wirestat-test-${process.pid}`;
/** The demo's own report: what the screens must count. */
const REPORT = JSON.parse(spawnSync(process.execPath, [CLI, 'report', DEMO, '--json'], { encoding: 'utf8' }).stdout) as {
  source: { packets: number };
  conversations: { proto: string }[];
};
const PACKETS = REPORT.source.packets.toLocaleString('en-US');
const FLOWS = REPORT.conversations.length;
/** What `/udp` should leave. */
const UDP_CONVERSATIONS = REPORT.conversations.filter((c) => c.proto === 'udp').length;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const pane = (): string => tmux('capture-pane', '-p', '-t', 'ws');

/** Polls the pane until `re` matches (bounded). */
async function waitFor(re: RegExp, ms = 15_000): Promise<string> {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < ms) {
    last = pane();
    if (re.test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${re} on the screen within ${ms} ms; it shows:\n${last}`);
}

async function session(cols: number, rows: number, fn: () => Promise<void>): Promise<void> {
  // env -u NODE_OPTIONS: no tap hooks in the program under test; LANG: a UTF-8 terminal.
  const cmd = `env -u NODE_OPTIONS LANG=C.UTF-8 ${process.execPath} ${CLI} replay ${DEMO} --speed max; echo "EXIT=$?"; sleep 30`;
  tmux('new-session', '-d', '-s', 'ws', '-x', String(cols), '-y', String(rows), cmd);
  try {
    await fn();
  } finally {
    spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  }
}

if (!haveTmux) {
  if (process.env.CI === 'true') t.fail('tmux is not installed (CI=true): apt-get install tmux');
  else t.plan(0, 'skip: tmux is not installed (apt-get install tmux)');
} else {
  for (const [cols, rows] of [
    [80, 24],
    [200, 60],
  ] as const) {
    t.test(`replay in tmux at ${cols}×${rows}: keys, and q gives the terminal back`, async (t) => {
      await session(cols, rows, async () => {
        const first = await waitFor(new RegExp(`${PACKETS} pkts`));
        t.match(first, /wirestat\s+replay .*demo\.pcap/, 'the header names the replay');
        t.match(first, new RegExp(`${FLOWS} flows`), 'every conversation counted');
        t.match(first, /by bytes/, 'sorted by bytes at first');
        const lines = first.split('\n');
        t.ok(lines.every((l) => l.length <= cols), 'nothing wider than the terminal');

        tmux('send-keys', '-t', 'ws', 's');
        await waitFor(/by packets/);
        t.pass('s: sorted by packets');

        tmux('send-keys', '-t', 'ws', '/');
        tmux('send-keys', '-t', 'ws', '-l', 'udp');
        tmux('send-keys', '-t', 'ws', 'Enter');
        const filtered = await waitFor(/filter: udp/);
        t.match(filtered, new RegExp(`Flows\\s+${UDP_CONVERSATIONS} of ${FLOWS}`), `/udp: the ${UDP_CONVERSATIONS} UDP conversations of ${FLOWS}`);
        t.notOk(filtered.split('\n').some((l) => /^\s+(tcp|icmp)\s/.test(l)), '/udp: no tcp or icmp rows left');

        tmux('send-keys', '-t', 'ws', 'h');
        await waitFor(/quit/i);
        t.pass('h: help');
        tmux('send-keys', '-t', 'ws', 'h');

        tmux('send-keys', '-t', 'ws', 'q');
        const after = await waitFor(/EXIT=\d+/);
        t.match(after, /EXIT=0/, 'q: exit 0');
        t.notMatch(after, new RegExp(`${PACKETS} pkts`), 'the dashboard is gone: the terminal is back to the shell');
      });
    });
  }
}
