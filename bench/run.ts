/**
 * `npm run bench`: wirestat's report pipeline against tshark and tcpdump on the same generated
 * capture, in the same run. Each figure is the median of BENCH_RUNS (default 3) runs, taken in
 * rounds (each tool once a round); ratios compare medians. Wall time and peak RSS come from GNU
 * time. The machine is small and noisy: read ratios, not absolute numbers.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchDashboard, printDashboard } from './dashboard.js';
import { generate, generateFlood } from './gen.js';
import { benchLive, cpuPerMpkt, lossPercent, printLive } from './live.js';
import { benchNetstat } from './netstat.js';
import { mb, median, ms, pps, Summary } from './summary.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const PACKETS = Number(process.env.BENCH_PACKETS ?? 2_000_000);
const FLOWS = Number(process.env.BENCH_FLOWS ?? 5000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DIR = process.env.BENCH_DIR ?? join(tmpdir(), 'wirestat-bench');

/** The report's flow_table (src/stats/snapshot.ts FlowTableFacts; bench/ compiles on its own). */
interface FlowTableFacts {
  capacity: number;
  active: number;
  evicted: number;
  expired: number;
  refused: number;
  tracked: number;
}

interface Sample {
  seconds: number;
  rssMb: number;
}

/**
 * Reads the capture once so every tool starts with it in the page cache: this machine's kernel
 * reclaims cold page cache proactively (DAMON), and a run that finds half the file evicted
 * measures the disk, not the tool.
 */
function warm(file: string): void {
  spawnSync('cat', [file], { stdio: ['ignore', 'ignore', 'ignore'] });
}

/** Runs `cmd` under GNU time; its standard output goes to `stdout` (a file) or nowhere. */
function measure(cmd: string[], stdout?: string): Sample {
  // GNU time writes "elapsed maxrss_kb" to a file of its own so the tool's stderr stays apart.
  const out = join(DIR, 'time.txt');
  const fd = stdout !== undefined ? openSync(stdout, 'w') : 'ignore';
  const r = spawnSync('/usr/bin/time', ['-o', out, '-f', '%e %M', ...cmd], { stdio: ['ignore', fd, 'pipe'] });
  if (typeof fd === 'number') closeSync(fd);
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-300)}`);
  const [e, m] = spawnSync('cat', [out]).stdout.toString().trim().split(/\s+/).map(Number);
  return { seconds: e!, rssMb: m! / 1024 };
}

const summary = new Summary();

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

function replay(): void {
  for (const tool of ['tshark', 'tcpdump', '/usr/bin/time']) {
    if (!have(tool)) throw new Error(`${tool} is needed: apt-get install tshark tcpdump time`);
  }
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `bench-${PACKETS}-${FLOWS}.pcap`);
  if (!existsSync(file)) {
    process.stdout.write(`generating ${PACKETS} packets, ${FLOWS} concurrent flows → ${file}\n`);
    generate(file, { packets: PACKETS, flows: FLOWS });
  }
  const size = statSync(file).size;
  process.stdout.write(`capture: ${file}, ${PACKETS} packets, ${(size / 1e6).toFixed(0)} MB; ${RUNS} runs each\n\n`);

  const tools: [string, string[]][] = [
    ['wirestat report --json', [process.execPath, CLI, 'report', file, '--json']],
    ['tcpdump -r F port 1 (floor)', ['tcpdump', '-n', '-r', file, 'port 1']],
    ['tcpdump -nn -r F', ['tcpdump', '-nn', '-r', file]],
    ['tshark -z conv,tcp -z conv,udp', ['tshark', '-n', '-q', '-r', file, '-z', 'conv,tcp', '-z', 'conv,udp']],
  ];
  // Rounds of one run of each tool, so that the machine's slow minutes (its speed wanders by a
  // factor of several) fall on every tool alike rather than on whichever ran then.
  const samples: Sample[][] = tools.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    tools.forEach(([, cmd], t) => {
      warm(file);
      samples[t]!.push(measure(cmd));
    });
  }
  const rows: { name: string; s: number; rss: number }[] = [];
  tools.forEach(([name], t) => {
    const xs = samples[t]!;
    rows.push({ name, s: median(xs.map((x) => x.seconds)), rss: median(xs.map((x) => x.rssMb)) });
    process.stdout.write(`  ${name}: ${xs.map((x) => x.seconds.toFixed(2)).join(' ')} s\n`);
  });
  const ws = rows[0]!;
  process.stdout.write('\n');
  const head = ['tool', 'median s', 'packets/s', 'peak RSS MB', 'wirestat speed ×'];
  const lines = rows.map((r) => [
    r.name,
    r.s.toFixed(2),
    Math.round(PACKETS / r.s).toLocaleString('en-US'),
    r.rss.toFixed(0),
    (r.s / ws.s).toFixed(2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [head, ...lines]) {
    process.stdout.write(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + '\n');
  }
  const tshark = rows[3]!;
  const floor = rows[1]!;
  process.stdout.write(
    `\nwirestat: ${Math.round(PACKETS / ws.s).toLocaleString('en-US')} packets/s, ` +
      `${(tshark.s / ws.s).toFixed(1)}× tshark, ${(floor.s / ws.s).toFixed(2)}× the libpcap floor, ` +
      `peak RSS ${ws.rss.toFixed(0)} MB\n`,
  );
  const tcpdump = rows[2]!;
  const replayRow = (anchor: { name: string; s: number }, goal: string) =>
    summary.add({ figure: 'replay: report --json', value: pps(PACKETS / ws.s), runs: RUNS, anchor: `${anchor.name} ${pps(PACKETS / anchor.s)}`, ratio: `${(anchor.s / ws.s).toFixed(2)}×${goal}` });
  replayRow({ name: 'floor (tcpdump -r F port 1)', s: floor.s }, ' (goal ≥ 0.5×)');
  replayRow({ name: 'tshark -z conv', s: tshark.s }, ' (goal ≥ 50×)');
  replayRow({ name: 'tcpdump -nn -r', s: tcpdump.s }, '');
  summary.add({ figure: `peak RSS, ${(size / 1e6).toFixed(0)} MB file, ${FLOWS} flows`, value: mb(ws.rss), runs: RUNS, anchor: `tshark ${mb(tshark.rss)}`, ratio: `${(tshark.rss / ws.rss).toFixed(1)}× less (goal ≤ 150 MB)` });
}

/**
 * Peak RSS of `report - --json` reading a generated capture through a pipe (no file to map or
 * seek, no size known ahead): 2,000,000 packets with 100,000 concurrent flows, and with
 * BENCH_BIG=1 10,000,000 packets (about 4 GB).
 */
function memory(): void {
  const cases: [string, number][] = [['2M packets, 100k concurrent flows, pipe', 2_000_000]];
  if (process.env.BENCH_BIG === '1') cases.push(['10M packets (~4 GB), 100k concurrent flows, pipe', 10_000_000]);
  const gen = join(ROOT, 'bench/dist/gen.js');
  const out = join(DIR, 'time-pipe.txt');
  process.stdout.write('\nmemory: report - --json on a generated capture through a pipe\n');
  for (const [name, packets] of cases) {
    const xs: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const script =
        `node --input-type=module -e "import {generate} from '${gen}'; generate('/dev/stdout', {packets: ${packets}, flows: 100000});" ` +
        `| /usr/bin/time -o ${out} -f '%e %M' ${process.execPath} ${CLI} report - --json > /dev/null`;
      const r = spawnSync('sh', ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      if (r.status !== 0) throw new Error(`${name}: ${r.stderr.toString().slice(-300)}`);
      const [e, m] = spawnSync('cat', [out]).stdout.toString().trim().split(/\s+/).map(Number);
      xs.push({ seconds: e!, rssMb: m! / 1024 });
    }
    process.stdout.write(`  ${name}: peak RSS ${xs.map((x) => x.rssMb.toFixed(0)).join(' ')} MB, ${xs.map((x) => x.seconds.toFixed(1)).join(' ')} s\n`);
    summary.add({ figure: `peak RSS, ${name}`, value: mb(median(xs.map((x) => x.rssMb))), runs: RUNS, anchor: '', ratio: 'goal ≤ 150 MB' });
  }
}

/**
 * A SYN flood from random sources (gen.ts generateFlood: every packet a new conversation) against
 * the flow table's defaults: the report's speed and peak RSS at 2M and 10M packets (the table is
 * full from 300k on, so the two should differ little), and the table's accounting: every
 * conversation offered is held, evicted or refused. Then the same with --when-full evict.
 */
function flood(): void {
  mkdirSync(DIR, { recursive: true });
  process.stdout.write('\nflood: report F --json on a random-source SYN flood, default flow table\n');
  const rss: number[] = [];
  const out = join(DIR, 'flood.json');
  for (const packets of [2_000_000, 10_000_000]) {
    const file = join(DIR, `flood-${packets}.pcap`);
    if (!existsSync(file)) generateFlood(file, packets);
    const xs: Sample[] = [];
    const floor: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      warm(file);
      xs.push(measure([process.execPath, CLI, 'report', file, '--json'], out));
      warm(file);
      floor.push(measure(['tcpdump', '-n', '-r', file, 'port 1']));
    }
    const s = median(xs.map((x) => x.seconds));
    const f = median(floor.map((x) => x.seconds));
    const ft = (JSON.parse(readFileSync(out, 'utf8')) as { flow_table: FlowTableFacts }).flow_table;
    const offered = ft.tracked + ft.refused;
    const books = ft.evicted + ft.refused === offered - ft.active;
    rss.push(median(xs.map((x) => x.rssMb)));
    process.stdout.write(
      `  ${packets.toLocaleString('en-US')} packets: ${xs.map((x) => x.seconds.toFixed(2)).join(' ')} s, peak RSS ${xs.map((x) => x.rssMb.toFixed(0)).join(' ')} MB; ` +
        `flow table ${JSON.stringify(ft)}\n` +
        `    offered ${offered} = active ${ft.active} + evicted ${ft.evicted} + refused ${ft.refused}: ${books ? 'holds' : 'DOES NOT HOLD'}\n`,
    );
    const name = `flood ${packets / 1e6}M packets`;
    summary.add({ figure: `${name}: report --json`, value: pps(packets / s), runs: RUNS, anchor: `floor ${pps(packets / f)}`, ratio: `${(f / s).toFixed(2)}× (goal ≥ 1 Mpps)` });
    summary.add({ figure: `${name}: peak RSS`, value: mb(rss[rss.length - 1]!), runs: RUNS, anchor: '', ratio: 'goal ≤ 300 MB' });
    summary.add({
      figure: `${name}: evicted + refused`,
      value: (ft.evicted + ft.refused).toLocaleString('en-US'),
      runs: 1,
      anchor: `offered − held ${(offered - ft.active).toLocaleString('en-US')}`,
      ratio: books ? 'equal' : 'NOT EQUAL',
    });
  }
  summary.add({ figure: 'flood: peak RSS at 10M / at 2M', value: `${((100 * rss[1]!) / rss[0]!).toFixed(1)}%`, runs: RUNS, anchor: '', ratio: 'goal within 10%' });
  // Evicting instead: each new conversation takes the place of one that came before.
  const file = join(DIR, 'flood-10000000.pcap');
  const ev: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    warm(file);
    ev.push(measure([process.execPath, CLI, 'report', file, '--json', '--when-full', 'evict'], out));
  }
  const ft = (JSON.parse(readFileSync(out, 'utf8')) as { flow_table: FlowTableFacts }).flow_table;
  const s = median(ev.map((x) => x.seconds));
  process.stdout.write(`  --when-full evict, 10M: ${ev.map((x) => x.seconds.toFixed(2)).join(' ')} s, peak RSS ${ev.map((x) => x.rssMb.toFixed(0)).join(' ')} MB; flow table ${JSON.stringify(ft)}\n`);
  summary.add({
    figure: 'flood 10M packets, --when-full evict',
    value: pps(10_000_000 / s),
    runs: RUNS,
    anchor: `evicted ${ft.evicted.toLocaleString('en-US')}, held ${ft.active.toLocaleString('en-US')}`,
    ratio: `peak RSS ${mb(median(ev.map((x) => x.rssMb)))}`,
  });
}

async function netstatView(): Promise<void> {
  process.stdout.write(`\nnetstat view: wirestat netstat -tuanp against netstat -tuanp, same namespace, interleaved\n`);
  const r = await benchNetstat(CLI);
  if (typeof r === 'string') {
    process.stdout.write(`  ${r}\n`);
    return;
  }
  const w = median(r.wirestat);
  const n = median(r.netstat);
  process.stdout.write(`  ${r.sockets} sockets; runs: wirestat ${r.wirestat.map((x) => x.toFixed(3)).join(' ')} s, netstat ${r.netstat.map((x) => x.toFixed(3)).join(' ')} s\n`);
  process.stdout.write(`  median: wirestat ${w.toFixed(3)} s, netstat ${n.toFixed(3)} s: wirestat takes ${(w / n).toFixed(2)}× netstat's time (goal ≤ 1.5×)\n`);
  summary.add({ figure: `netstat view, ${r.sockets} sockets`, value: `${w.toFixed(3)} s`, runs: r.wirestat.length, anchor: `netstat -tuanp ${n.toFixed(3)} s`, ratio: `${(w / n).toFixed(2)}× the time (goal ≤ 1.5×)` });
}

async function liveCapture(): Promise<void> {
  process.stdout.write(`\nlive capture: wirestat live (each backend) against tcpdump -w /dev/null, tcpreplay into a veth, medians of ${process.env.BENCH_LIVE_RUNS ?? 3} rounds\n`);
  mkdirSync(DIR, { recursive: true });
  const r = await benchLive(CLI, DIR);
  if (typeof r === 'string') {
    process.stdout.write(`  ${r}\n`);
    return;
  }
  printLive(r, (s) => void process.stdout.write(`  ${s}`));
  // Each wirestat backend at each offered rate against tcpdump at the same rate, same round.
  const at = (tool: string, rate: number) => r.filter((x) => x.tool === tool && x.rate === rate);
  for (const rate of [...new Set(r.map((x) => x.rate))]) {
    const anchor = at('tcpdump -w /dev/null', rate);
    const rateName = rate > 0 ? `${(rate / 1000).toFixed(0)}k pps` : 'top speed';
    for (const tool of [...new Set(r.map((x) => x.tool))].filter((x) => x.startsWith('wirestat'))) {
      const g = at(tool, rate);
      if (g.length === 0 || anchor.length === 0) continue;
      const cpu = median(g.map(cpuPerMpkt));
      const base = median(anchor.map(cpuPerMpkt));
      summary.add({
        figure: `live ${tool.replace(/^wirestat /, '')} @ ${rateName}: CPU s/Mpkt, loss`,
        value: `${cpu.toFixed(2)}, ${median(g.map(lossPercent)).toFixed(2)}%`,
        runs: g.length,
        anchor: `tcpdump ${base.toFixed(2)}, ${median(anchor.map(lossPercent)).toFixed(2)}%`,
        ratio: `${(cpu / Math.max(base, 1e-9)).toFixed(1)}× the CPU (goal ≤ 3×)`,
      });
    }
  }
}

async function dashboard(): Promise<void> {
  process.stdout.write(`\ndashboard: tick + view + render with ${Number(process.env.BENCH_DASH_FLOWS ?? 100_000).toLocaleString('en-US')} active conversations, and ingest with and without them each second\n`);
  const r = await benchDashboard();
  printDashboard(r, (s) => void process.stdout.write(`  ${s}`));
  const flows = `${(r.flows / 1000).toFixed(0)}k conversations`;
  const tick = median(r.tickMs) + median(r.viewMs['sort bytes']!);
  summary.add({ figure: `dashboard tick + view, ${flows}`, value: ms(tick), runs: r.tickMs.length, anchor: '', ratio: `${(100 * median(r.tickShare)).toFixed(1)}% of ingest time` });
  summary.add({ figure: 'TUI render, 200×60', value: ms(median(r.renderMs)), runs: r.renderMs.length, anchor: '', ratio: '' });
}

/** BENCH_ONLY=replay, memory, flood, netstat, live or dashboard runs one part; the table of all comes last. */
async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (only === undefined || only === 'replay') replay();
  if (only === undefined || only === 'memory') memory();
  if (only === undefined || only === 'flood') flood();
  if (only === undefined || only === 'netstat') await netstatView();
  if (only === undefined || only === 'live') await liveCapture();
  if (only === undefined || only === 'dashboard') await dashboard();
  summary.print((s) => void process.stdout.write(s));
}

await main();
