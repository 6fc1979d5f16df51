/**
 * Issue 8's exit matrix, in the namespace lab (test/lab/lab.ts). A live capture on the sensor's
 * e0, while h1 pings h2 across the hub, is ended five ways: SIGINT, SIGTERM, SIGKILL, an
 * uncaught exception and an unhandled rejection (the last two by WIRESTAT_FAULT, the test hook
 * in src/cli/live.ts). Each way is run as `report -i e0 -w FILE --json` with standard output a
 * pipe, and as the dashboard `live -i e0 -w FILE` in a tmux pane of 80×24, with each backend
 * (helper, and cap when its binding is built). Every cell must leave:
 *
 * - e0's promiscuity count at its earlier value (and one above it while capturing). The report
 *   cells start from 0; the dashboard cells from 1 (`ip link set e0 promisc on`, as an
 *   administrator may have left it), so a cleanup that switched promiscuous mode off would show.
 *   The ping stops QUIET_MS before each end: by then tcpdump holds the last ring block and has
 *   written what fills its 4 KiB stdio buffer, so a helper left behind would write nothing more,
 *   never meet EPIPE and stay promiscuous (helper.ts); only its parent-death signal or
 *   wirestat's exit hook can end it, and those are what this checks (a helper started without
 *   --pdeathsig fails the SIGKILL cells here).
 * - the -w file readable to its last record, with packets in it: `tcpdump -r` and `tshark -r`
 *   exit 0 without a word of truncation, and `wirestat report FILE` lists no error. After SIGINT
 *   and SIGTERM it holds every packet the capture counted. FILE.host.json: whole lines.
 *   SIGKILL loses what was not yet written: the writer's last second, and with the helper the
 *   ring block tcpdump had not been handed (README, "Live capture"); a crash flushes the
 *   writer's buffer as the process exits, and loses only the helper's part. A SIGKILL
 *   that lands inside a write(2) could cut that write at a page boundary (pcap-writer.ts puts
 *   the odds); at a few KB a second, written in one flush a second, no run here has seen it.
 * - the exit status: 0 after SIGINT and SIGTERM, the capture stopped and reported (as tcpdump
 *   exits 0 after Ctrl-C: it is how a capture ends), 1 and one line `wirestat: internal error:
 *   …` after a crash, 137 (killed) after SIGKILL; never a hang.
 * - the dashboard's terminal as it was: termios (`stty -g`) equal to before the run, the normal
 *   screen, the cursor shown, cursor keys and keypad in normal mode (each checked on while the
 *   dashboard runs, so a missing restore fails), and a crash's line readable on the restored
 *   screen. SIGKILL runs no handler: there the guard process (src/tui/guard.ts) gives the
 *   terminal back when wirestat's pipe to it closes without a word; the pane's shell waits half
 *   a second for it before it compares.
 *
 * The four groups (backend × command) run at once, each in a lab of its own (the promiscuity
 * count is per interface), the five ways in turn. Needs root, tmux, tcpdump and tshark: without
 * root it skips with one line; under CI=true anything missing fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { BackendName } from '../../src/capture/live-backend.js';
import { loadCap } from '../../src/capture/live-cap.js';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import type { Report } from '../../src/stats/snapshot.js';
import { CLI, looksLikeStackTrace } from '../helpers/cli.js';
import { childPid, gateLab, HOST_ADDR, type Lab, type LabProcess, SENSOR_IF, withLab } from '../lab/lab.js';

const WAYS = ['SIGINT', 'SIGTERM', 'SIGKILL', 'exception', 'rejection'] as const;
type Way = (typeof WAYS)[number];
type Command = 'report' | 'live';

/** The crash comes this long after "listening": the helper's packets reach the -w file ~2 s late
 *  (its 1 s ring-block timeout, then the writer's flush at most a second later). */
const FAULT_AFTER_MS = 3000;
/** The link is quiet this long before each end: more than tcpdump's 1 s ring-block timeout. */
const QUIET_MS = 1500;
/** Bounds: a capture must start, show packets in its file, and end within these. */
const START_MS = 15_000;
const RECORDS_MS = 10_000;
const END_MS = 20_000;
const PROMISC_SETTLE_MS = 5000;
const PCAP_HEADER_BYTES = 24;
const SIGNALS: Record<string, number> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
/** What the shell reports for a process killed by SIGKILL. */
const KILLED = 128 + SIGNALS.SIGKILL!;

const TMUX = `wsx-exits-${process.pid}`;
const COLS = 80;
const ROWS = 24;
/** The pane's modes the dashboard changes, as tmux formats name them: running, then after. */
const MODES = {
  alternate_on: ['1', '0'],
  cursor_flag: ['0', '1'],
  keypad_cursor_flag: ['1', '0'],
  keypad_flag: ['1', '0'],
} as const;
/** The dashboard never asks for the mouse: these stay off, always. */
const MOUSE = ['mouse_any_flag', 'mouse_all_flag', 'mouse_button_flag', 'mouse_standard_flag', 'mouse_sgr_flag', 'mouse_utf8_flag'];

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command in this (the root) namespace without blocking the other groups. */
function run(cmd: string, args: string[], timeoutMs = 20_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 1 << 26, env: { ...process.env, NODE_OPTIONS: '', LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function tmux(...args: string[]): Promise<string> {
  const r = await run('tmux', ['-L', TMUX, '-f', '/dev/null', ...args], 10_000);
  if (r.code !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined), at most `ms`; throws naming `what`. */
async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(100);
  }
}

/** The pids under `pid` (children, theirs, …), from /proc. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const task of tasks) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').trim();
    for (const c of text === '' ? [] : text.split(/\s+/).map(Number)) out.push(c, ...descendants(c));
  }
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'latin1').trim();
  } catch {
    return '';
  }
}

/** 128 + N for a process killed by signal N, as a shell reports it. */
function exitOf(e: { code: number | null; signal: NodeJS.Signals | null }): number | null {
  return e.signal !== null ? 128 + (SIGNALS[e.signal] ?? 0) : e.code;
}

function hasRecords(file: string): boolean {
  try {
    return statSync(file).size > PCAP_HEADER_BYTES;
  } catch {
    return false;
  }
}

/** What the three readers make of a -w file. */
interface Readers {
  tcpdump: { code: number | null; packets: number; stderr: string };
  tshark: { code: number | null; stderr: string };
  wirestat: { code: number | null; packets: number; errors: number; stderr: string };
  hostLines: number | string;
}

async function readBack(file: string): Promise<Readers> {
  const [td, ts, ws] = await Promise.all([
    run('tcpdump', ['-n', '-r', file]),
    run('tshark', ['-n', '-r', file]),
    run(process.execPath, [CLI, 'report', file, '--json']),
  ]);
  let report: Report | null = null;
  try {
    report = JSON.parse(ws.stdout) as Report;
  } catch {
    // Said by the assertions on its exit status.
  }
  let hostLines: number | string;
  try {
    hostLines = loadHostSnapshots(`${file}.host.json`).length;
  } catch (err) {
    hostLines = (err as Error).message;
  }
  return {
    tcpdump: { code: td.code, packets: td.stdout.split('\n').filter((l) => l !== '').length, stderr: td.stderr },
    tshark: { code: ts.code, stderr: ts.stderr },
    wirestat: { code: ws.code, packets: report?.source.packets ?? -1, errors: report?.source.errors.length ?? -1, stderr: ws.stderr },
    hostLines,
  };
}

/** One cell's measured outcome, for the table at the end. */
interface Outcome {
  cell: string;
  exit: number | null;
  promisc: string;
  terminal: string;
  file: string;
  ms: number;
}

/** Everything a capture ended this way must leave, whichever command ran it. */
function checkFile(t: Test, cell: string, way: Way, r: Readers, counted: number | null): void {
  t.equal(r.tcpdump.code, 0, `${cell}: tcpdump -r exits 0`);
  t.notMatch(r.tcpdump.stderr, /truncated|bogus|corrupt/i, `${cell}: tcpdump -r: no truncation`);
  t.ok(r.tcpdump.packets > 0, `${cell}: ${r.tcpdump.packets} packets in the file`);
  t.equal(r.tshark.code, 0, `${cell}: tshark -r exits 0`);
  t.notMatch(r.tshark.stderr, /cut short|damaged|corrupt/i, `${cell}: tshark -r: not cut short`);
  t.equal(r.wirestat.code, 0, `${cell}: wirestat report FILE exits 0`);
  t.equal(r.wirestat.errors, 0, `${cell}: wirestat report FILE lists no error`);
  t.equal(r.wirestat.packets, r.tcpdump.packets, `${cell}: wirestat report FILE counts what tcpdump -r reads`);
  t.ok(typeof r.hostLines === 'number' && r.hostLines >= 1, `${cell}: FILE.host.json: whole lines (${r.hostLines})`);
  if (way === 'SIGINT' || way === 'SIGTERM') {
    t.ok(Number.isInteger(counted), `${cell}: the capture's closing counts are printed ("N packets captured")`);
    t.equal(counted, r.tcpdump.packets, `${cell}: every packet the capture counted (${counted}) is in the file`);
  }
}

function checkExit(t: Test, cell: string, way: Way, exit: number | null, says: string): void {
  if (way === 'SIGKILL') t.equal(exit, KILLED, `${cell}: killed (${KILLED})`);
  else if (way === 'SIGINT' || way === 'SIGTERM') t.equal(exit, 0, `${cell}: exit 0, the capture stopped`);
  else {
    t.equal(exit, 1, `${cell}: exit 1`);
    t.match(says, new RegExp(`^wirestat: internal error: WIRESTAT_FAULT=${way}:${FAULT_AFTER_MS} \\(a test hook\\)$`, 'm'), `${cell}: says so in one line`);
    t.notOk(looksLikeStackTrace(says), `${cell}: no stack trace`);
  }
}

function fileSummary(r: Readers): string {
  const warn = /truncated|bogus|corrupt|cut short|damaged/i.test(r.tcpdump.stderr + r.tshark.stderr) ? ' (warned)' : '';
  return `tcpdump ${r.tcpdump.code} tshark ${r.tshark.code}${warn}, ${r.tcpdump.packets} pkts, wirestat ${r.wirestat.errors} errors`;
}

/** h1 pings h2 until stopped: 20 echo requests a second and their replies, flooded to e0 by the
 *  hub. Bounded: 30 s at most. */
function traffic(lab: Lab): LabProcess {
  return lab.spawn('h1', 'ping', ['-q', '-n', '-i', '0.05', '-w', '30', HOST_ADDR.h2.ipv4], { maxSeconds: 35 });
}

/**
 * Ends the capture `way` once it is running: a signal to `pid` once its file holds packets and
 * the link has been quiet for QUIET_MS; a crash is due by itself, the ping stopped QUIET_MS before.
 */
async function endCapture(cell: string, way: Way, file: string, ping: LabProcess, pid: () => number): Promise<void> {
  if (way === 'exception' || way === 'rejection') {
    setTimeout(() => void ping.stop('SIGINT'), FAULT_AFTER_MS - QUIET_MS);
    return;
  }
  await until(`${cell}: records in ${file}`, RECORDS_MS, () => (hasRecords(file) ? true : undefined));
  await ping.stop('SIGINT');
  await sleep(QUIET_MS);
  process.kill(pid(), way);
}

/**
 * Waits (bounded) until e0's promiscuity is `want` again and nothing runs in the sensor's
 * namespace (the helper ends a moment after wirestat); returns the last reading of both.
 */
async function afterEnd(lab: Lab, want: number): Promise<{ promisc: number; left: string }> {
  const t0 = Date.now();
  for (;;) {
    const promisc = await lab.promiscuity('sensor', SENSOR_IF);
    const pids = (await run('ip', ['netns', 'pids', lab.ns.sensor])).stdout.trim().split(/\s+/).filter(Boolean);
    const left = pids.map((pid) => `${pid} ${comm(Number(pid))}`).join(', ');
    if ((promisc === want && left === '') || Date.now() - t0 > PROMISC_SETTLE_MS) return { promisc, left };
    await sleep(100);
  }
}

function checkAfter(t: Test, cell: string, before: number, a: { promisc: number; left: string }): void {
  t.equal(a.promisc, before, `${cell}: promiscuity back to ${before}`);
  t.equal(a.left, '', `${cell}: nothing left running in the sensor's namespace (no helper behind)`);
}

/** `report -i e0 -w FILE --json`, standard output a pipe, ended `way`. */
async function reportCell(t: Test, lab: Lab, backend: BackendName, way: Way): Promise<Outcome> {
  const cell = `${backend} report ${way}`;
  const file = join(lab.dir, `report-${way}.pcap`);
  const t0 = Date.now();
  const before = await lab.promiscuity('sensor', SENSOR_IF);
  const fault = way === 'exception' || way === 'rejection' ? { WIRESTAT_FAULT: `${way}:${FAULT_AFTER_MS}` } : undefined;
  const ping = traffic(lab);
  let p: LabProcess | undefined;
  try {
    p = lab.spawn('sensor', process.execPath, [CLI, 'report', '-i', SENSOR_IF, '--backend', backend, '-w', file, '--json'], {
      maxSeconds: 60,
      ...(fault ? { env: fault } : {}),
    });
    await p.waitFor(/listening on /, { timeoutMs: START_MS });
    const during = await lab.promiscuity('sensor', SENSOR_IF);
    t.equal(during, before + 1, `${cell}: promiscuous while capturing (${before} → ${during})`);
    await endCapture(cell, way, file, ping, () => childPid(p!));
    const timer = setTimeout(() => void p!.stop('SIGKILL'), END_MS);
    const end = await p.exited;
    clearTimeout(timer);
    t.ok(Date.now() - t0 < END_MS + START_MS, `${cell}: ended, no hang`);
    const exit = exitOf(end);
    checkExit(t, cell, way, exit, p.stderr);
    const after = await afterEnd(lab, before);
    checkAfter(t, cell, before, after);
    const r = await readBack(file);
    let counted: number | null = null;
    if (way === 'SIGINT' || way === 'SIGTERM') {
      counted = Number(/^(\d+) packets captured$/m.exec(p.stderr)?.[1] ?? NaN);
      let report: Report | null = null;
      try {
        report = JSON.parse(p.stdout) as Report;
      } catch {
        // Failed below.
      }
      t.equal(report?.source.packets, counted, `${cell}: the report printed, counting what stderr says`);
    } else {
      t.equal(p.stdout, '', `${cell}: no report`);
    }
    checkFile(t, cell, way, r, counted);
    return { cell, exit, promisc: `${before} → ${during} → ${after.promisc}`, terminal: '(a pipe)', file: fileSummary(r), ms: Date.now() - t0 };
  } finally {
    // A cell that failed half-way leaves nothing running into the next.
    await p?.stop('SIGKILL');
    await ping.stop('SIGINT');
  }
}

const format = (names: readonly string[]): string => names.map((n) => `${n}=#{${n}}`).join(' ');

async function paneModes(session: string): Promise<Record<string, string>> {
  const names = [...Object.keys(MODES), ...MOUSE];
  const text = (await tmux('display-message', '-p', '-t', session, format(names))).trim();
  return Object.fromEntries(text.split(' ').map((kv) => kv.split('=') as [string, string]));
}

/** The dashboard, `live -i e0 -w FILE`, in a tmux pane, ended `way`. */
async function dashboardCell(t: Test, lab: Lab, backend: BackendName, way: Way): Promise<Outcome> {
  const cell = `${backend} live ${way}`;
  const session = `${backend}-${way}`;
  const file = join(lab.dir, `live-${way}.pcap`);
  const t0 = Date.now();
  const before = await lab.promiscuity('sensor', SENSOR_IF);
  const fault = way === 'exception' || way === 'rejection' ? `WIRESTAT_FAULT=${way}:${FAULT_AFTER_MS} ` : '';
  const ping = traffic(lab);
  // A non-interactive shell: it restores nothing itself, so what the terminal holds after the
  // run is what wirestat left. termios is compared inside the pane, before and after.
  // timeout --foreground keeps wirestat in the terminal's foreground process group.
  // The exit status and the termios verdict go to files: after SIGKILL the pane still shows the
  // dashboard, and what the shell prints lands amid it.
  const script = [
    'saved=$(stty -g)',
    `ip netns exec ${lab.ns.sensor} timeout --foreground -k 2 60 env -u NODE_OPTIONS LANG=C.UTF-8 ${fault}` +
      `${process.execPath} ${CLI} live -i ${SENSOR_IF} --backend ${backend} -w ${file}`,
    `echo $? > ${file}.exit`,
    // After SIGKILL the guard restores the terminal as wirestat's pipe to it closes.
    'sleep 0.5',
    `[ "$(stty -g)" = "$saved" ] && echo same > ${file}.stty || echo changed > ${file}.stty`,
    `touch ${file}.end`,
    'sleep 120',
  ].join('\n');
  await tmux('new-session', '-d', '-s', session, '-x', String(COLS), '-y', String(ROWS), 'sh', '-c', script);
  try {
    const pane = async (): Promise<string> => tmux('capture-pane', '-p', '-J', '-t', session);
    const tty = (await tmux('display-message', '-p', '-t', session, '#{pane_tty}')).trim();
    const shell = Number((await tmux('display-message', '-p', '-t', session, '#{pane_pid}')).trim());
    // Up: the alternate screen on and the header drawn.
    const running = await until(`${cell}: the dashboard on the screen`, START_MS, async () => {
      const m = await paneModes(session);
      return m.alternate_on === '1' && /live on e0/.test(await pane()) ? m : undefined;
    });
    for (const [name, [on]] of Object.entries(MODES)) t.equal(running[name], on, `${cell}: ${name} ${on} while running`);
    const rawNow = (await run('stty', ['-a', '-F', tty])).stdout;
    t.match(rawNow, /(^|\s)-icanon\s/, `${cell}: raw mode while running`);
    const during = await lab.promiscuity('sensor', SENSOR_IF);
    t.equal(during, before + 1, `${cell}: promiscuous while capturing (${before} → ${during})`);
    await endCapture(cell, way, file, ping, () => {
      const node = descendants(shell).find((pid) => comm(pid) === 'node');
      if (node === undefined) throw new Error(`${cell}: no node under the pane's shell ${shell}`);
      return node;
    });
    await until(`${cell}: wirestat ended (no hang)`, END_MS, () => (existsSync(`${file}.end`) ? true : undefined));
    const text = await pane();
    const exit = Number(readFileSync(`${file}.exit`, 'latin1').trim());
    const stty = readFileSync(`${file}.stty`, 'latin1').trim();
    checkExit(t, cell, way, exit, text);
    const modes = await paneModes(session);
    const termios = (await run('stty', ['-a', '-F', tty])).stdout;
    t.equal(stty, 'same', `${cell}: termios as before the run (stty -g)`);
    for (const [name, [, off]] of Object.entries(MODES)) t.equal(modes[name], off, `${cell}: ${name} ${off} after`);
    for (const name of MOUSE) t.equal(modes[name], '0', `${cell}: ${name} 0`);
    const after = await afterEnd(lab, before);
    checkAfter(t, cell, before, after);
    const r = await readBack(file);
    const counted = way === 'SIGINT' || way === 'SIGTERM' ? Number(/^(\d+) packets captured$/m.exec(text)?.[1] ?? NaN) : null;
    checkFile(t, cell, way, r, counted);
    const flags = ['icanon', 'echo', 'isig'].map((f) => (new RegExp(`(^|\\s)-${f}\\s`).test(termios) ? `-${f}` : f)).join(' ');
    const terminal = `termios ${stty} (${flags}), alt ${modes.alternate_on} cursor ${modes.cursor_flag} keypad ${modes.keypad_cursor_flag}${modes.keypad_flag}`;
    return { cell, exit, promisc: `${before} → ${during} → ${after.promisc}`, terminal, file: fileSummary(r), ms: Date.now() - t0 };
  } finally {
    await tmux('kill-session', '-t', session).catch(() => undefined);
    await ping.stop('SIGINT');
  }
}

async function haveCommand(cmd: string): Promise<boolean> {
  return (await run('sh', ['-c', `command -v ${cmd}`])).code === 0;
}

if (gateLab(t)) {
  const groups: [BackendName, Command][] = [];
  const missing: string[] = [];
  const cap = loadCap() !== null;
  const tmuxThere = await haveCommand('tmux');
  const tsharkThere = await haveCommand('tshark');
  if (!tsharkThere) missing.push('tshark is not installed (apt-get install tshark)');
  if (!cap) missing.push('--backend cap: the cap binding is not installed (apt-get install libpcap-dev, then npm ci)');
  if (!tmuxThere) missing.push('the dashboard cells: tmux is not installed (apt-get install tmux)');
  for (const backend of ['helper', 'cap'] as const) {
    if (backend === 'cap' && !cap) continue;
    groups.push([backend, 'report']);
    if (tmuxThere) groups.push([backend, 'live']);
  }
  if (missing.length > 0 && process.env.CI === 'true') t.fail(`${missing.join('; ')} (CI=true: a missing prerequisite fails)`);
  else if (!tsharkThere) t.plan(0, `skip: ${missing[0]}`);
  else {
    for (const m of missing) t.test(m, { skip: m }, () => undefined);
    t.test('the exit matrix: SIGINT, SIGTERM, SIGKILL, an uncaught exception and an unhandled rejection', async (t) => {
      const outcomes: Outcome[] = [];
      // One tmux server for every pane of this run, up before the groups start their sessions.
      let socket: string | null = null;
      if (groups.some(([, c]) => c === 'live')) {
        await tmux('new-session', '-d', '-s', 'idle', '-x', String(COLS), '-y', String(ROWS), 'sleep', '180');
        socket = (await tmux('display-message', '-p', '-t', 'idle', '#{socket_path}')).trim();
      }
      try {
        const settled = await Promise.allSettled(
          groups.map(([backend, command]) =>
            withLab({ hosts: true }, async (lab) => {
              if (command === 'live') {
                const r = await lab.exec('sensor', 'ip', ['link', 'set', SENSOR_IF, 'promisc', 'on']);
                if (r.code !== 0) throw new Error(`ip link set ${SENSOR_IF} promisc on: ${r.stderr}`);
              }
              for (const way of WAYS) {
                const t0 = Date.now();
                try {
                  outcomes.push(command === 'report' ? await reportCell(t, lab, backend, way) : await dashboardCell(t, lab, backend, way));
                } catch (err) {
                  // One cell's failure is said, and the others still run.
                  const cell = `${backend} ${command} ${way}`;
                  t.fail(`${cell}: ${(err as Error).message}`);
                  outcomes.push({ cell, exit: null, promisc: '?', terminal: '?', file: `failed: ${(err as Error).message}`, ms: Date.now() - t0 });
                }
              }
            }),
          ),
        );
        for (const s of settled) if (s.status === 'rejected') t.fail(`a lab: ${(s.reason as Error).message}`);
      } finally {
        await run('tmux', ['-L', TMUX, 'kill-server']);
        // tmux leaves its socket file behind.
        if (socket !== null) rmSync(socket, { force: true });
      }
      const order = (o: Outcome): number => groups.findIndex(([b, c]) => o.cell.startsWith(`${b} ${c} `)) * 10 + WAYS.findIndex((w) => o.cell.endsWith(` ${w}`));
      const rows = outcomes.sort((a, b) => order(a) - order(b)).map((o) => [o.cell, String(o.exit), o.promisc, o.terminal, o.file, `${(o.ms / 1000).toFixed(1)} s`]);
      const head = ['cell', 'exit', 'promiscuity before → during → after', 'terminal after', '-w file', 'time'];
      const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
      t.comment(['', ...[head, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())].join('\n'));
    });
  }
}
