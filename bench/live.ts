/**
 * Live capture cost: `wirestat live` with each backend (`--backend cap`, `--backend helper`)
 * against `tcpdump -w /dev/null` on the same tcpreplay traffic, at rising offered rates. For each
 * run: CPU seconds the capturing processes used while the traffic flowed (utime + stime from
 * /proc/PID/stat of the tool and every process under it, so wirestat and its tcpdump helper
 * together; from "listening" to the end of the replay, so start-up and the final report are not
 * counted), per million packets offered, and the loss: packets the sensor interface received
 * (its rx_packets counter) that the tool did not capture. BENCH_LIVE_RUNS rounds (default 3),
 * each tool once per rate per round; the table gives medians.
 *
 * Lab: namespaces ws-blive-PID-p (player, veth p0) and ws-blive-PID-s (sensor, veth s0), a
 * veth pair between them, IPv6 off so the only frames are the replayed ones. Only the replayed
 * file's frames are sent, and only into these namespaces. Needs root, tcpreplay, tcpdump and the
 * cap binding; otherwise says so and measures nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './gen.js';

const PACKETS = Number(process.env.BENCH_LIVE_PACKETS ?? 200_000);
/** Offered rates in packets/s; 0 = as fast as tcpreplay can send. */
const RATES = (process.env.BENCH_LIVE_RATES ?? '20000,80000,160000,0').split(',').map(Number);
const RUNS = Number(process.env.BENCH_LIVE_RUNS ?? 3);
const CLK_TCK = 100;
/** Wait after the replay before reading CPU: one TPACKET_V3 block timeout (1 s) and a margin. */
const DRAIN_MS = 1500;

export interface LiveRun {
  tool: string;
  rate: number;
  offered: number;
  captured: number;
  cpuSeconds: number;
  sendSeconds: number;
}

function sh(cmd: string[]): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${(r.stderr ?? '').trim()}`);
  return r.stdout;
}

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** utime + stime of `pid`, in seconds (0 once it is gone). */
function cpuOf(pid: number): number {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return 0;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** `pid` and every process under it (wirestat's helper), read once the capture listens. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    const p = out[i]!;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const t of tasks) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${t}/children`, 'latin1').trim().split(/\s+/)) if (c !== '') out.push(Number(c));
      } catch {
        // The task ended meanwhile.
      }
    }
  }
  return out;
}

const cpuOfTree = (pids: number[]): number => pids.reduce((sum, p) => sum + cpuOf(p), 0);

function rxPackets(ns: string, dev: string): number {
  return Number(sh(['ip', 'netns', 'exec', ns, 'cat', `/sys/class/net/${dev}/statistics/rx_packets`]).trim());
}

/** Starts `cmd` in `ns`, resolves once its stderr says it is listening. */
function startCapture(ns: string, cmd: string[]): Promise<{ pid: number; stop: () => Promise<string> }> {
  const p = spawn('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd[0]} did not start listening: ${err}`)), 20_000);
    p.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (/listening on/.test(err)) {
        clearTimeout(timer);
        resolve({
          pid: p.pid!,
          stop: () =>
            new Promise((done) => {
              p.once('close', () => done(err));
              p.kill('SIGINT');
            }),
        });
      }
    });
    p.once('exit', (code) => reject(new Error(`${cmd[0]} exited (${code}): ${err}`)));
  });
}

function captured(tool: string, stderr: string): number {
  const m = /(\d+) packets captured/.exec(stderr);
  if (!m) throw new Error(`${tool}: no "packets captured" line in: ${stderr}`);
  return Number(m[1]);
}

export async function benchLive(cli: string, dir: string): Promise<LiveRun[] | string> {
  if (process.geteuid?.() !== 0) return 'skipped: needs root for network namespaces';
  for (const tool of ['tcpreplay', 'tcpdump', 'ip']) if (!have(tool)) return `skipped: ${tool} is not installed`;
  const file = join(dir, `live-${PACKETS}.pcap`);
  if (!existsSync(file)) generate(file, { packets: PACKETS, flows: 2000 });
  const nsP = `ws-blive-${process.pid}-p`;
  const nsS = `ws-blive-${process.pid}-s`;
  const runs: LiveRun[] = [];
  try {
    sh(['ip', 'netns', 'add', nsP]);
    sh(['ip', 'netns', 'add', nsS]);
    sh(['ip', 'link', 'add', 'p0', 'netns', nsP, 'type', 'veth', 'peer', 'name', 's0', 'netns', nsS]);
    for (const [ns, dev] of [[nsP, 'p0'], [nsS, 's0']] as const) {
      sh(['ip', 'netns', 'exec', ns, 'sysctl', '-q', `net.ipv6.conf.${dev}.disable_ipv6=1`]);
      sh(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    }
    const tools: [string, string[]][] = [
      ['wirestat --backend cap', [process.execPath, cli, 'live', '-i', 's0', '--json', '--backend', 'cap']],
      ['wirestat --backend helper', [process.execPath, cli, 'live', '-i', 's0', '--json', '--backend', 'helper']],
      ['tcpdump -w /dev/null', ['tcpdump', '-n', '-i', 's0', '-w', '/dev/null']],
    ];
    for (let round = 0; round < RUNS; round++) {
      for (const rate of RATES) {
        for (const [name, cmd] of tools) {
          const cap = await startCapture(nsS, cmd);
          const tree = processTree(cap.pid);
          const rx0 = rxPackets(nsS, 's0');
          const cpu0 = cpuOfTree(tree);
          const t0 = process.hrtime.bigint();
          sh(['ip', 'netns', 'exec', nsP, 'tcpreplay', '-q', '-i', 'p0', ...(rate > 0 ? [`--pps=${rate}`] : ['--topspeed']), file]);
          const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
          // Let the capture drain what is queued (libpcap's TPACKET_V3 hands a partly filled
          // block to tcpdump, and so to the helper's reader, after its 1 s timeout), then take
          // its CPU before it builds its report.
          await new Promise((r) => setTimeout(r, DRAIN_MS));
          const cpuSeconds = cpuOfTree(tree) - cpu0;
          const offered = rxPackets(nsS, 's0') - rx0;
          const err = await cap.stop();
          runs.push({ tool: name, rate, offered, captured: captured(name, err), cpuSeconds, sendSeconds });
        }
      }
    }
  } finally {
    spawnSync('ip', ['netns', 'del', nsP]);
    spawnSync('ip', ['netns', 'del', nsS]);
  }
  return runs;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const lossPercent = (r: LiveRun): number => (r.offered > 0 ? (100 * Math.max(0, r.offered - r.captured)) / r.offered : 0);
export const cpuPerMpkt = (r: LiveRun): number => (r.cpuSeconds * 1e6) / Math.max(1, r.offered);

/** One line per rate and tool: medians over the rounds, with the range of the CPU figure. */
export function printLive(runs: LiveRun[], out: (s: string) => void): void {
  const head = ['offered rate', 'tool', 'runs', 'offered', 'loss % (median, max)', 'CPU s / Mpkt (median, min–max)'];
  const groups = new Map<string, LiveRun[]>();
  for (const r of runs) {
    const k = `${r.rate}\u0000${r.tool}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const lines = [...groups.values()].map((g) => {
    const r = g[0]!;
    const cpu = g.map(cpuPerMpkt);
    const loss = g.map(lossPercent);
    return [
      r.rate > 0 ? `${r.rate.toLocaleString('en-US')} pps` : `top (${Math.round(median(g.map((x) => x.offered / x.sendSeconds))).toLocaleString('en-US')} pps)`,
      r.tool,
      String(g.length),
      String(median(g.map((x) => x.offered))),
      `${median(loss).toFixed(2)}, ${Math.max(...loss).toFixed(2)}`,
      `${median(cpu).toFixed(2)}, ${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)}`,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [head, ...lines]) out(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ') + '\n');
}
