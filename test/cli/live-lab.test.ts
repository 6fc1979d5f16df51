/**
 * `wirestat report -i e0` in the namespace lab (test/lab/lab.ts), with each backend
 * (`--backend cap` and `--backend helper`): a fixture replayed into the hub is reported live
 * exactly as the fixture's own report (every conversation: packets and bytes both ways), also
 * behind a libpcap filter (`-f`, packet count equal to `tcpdump -r FILE EXPR`); `-Z nobody` has
 * dropped uid and capabilities before any packet; the interface's promiscuity returns to its
 * earlier value after SIGINT, SIGTERM and SIGKILL. The helper alone: it runs as the -Z user with
 * CAP_NET_RAW only, dies with wirestat (SIGKILL too), its records carry the kernel's timestamps
 * (those a tcpdump beside it saw) and the kernel's drops reach capture_loss.
 * Needs root: skipped with one line otherwise, a failure when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadHostSnapshots } from '../../src/cli/dashboard-cmd.js';
import type { BackendName } from '../../src/capture/live-backend.js';
import { loadCap } from '../../src/capture/live-cap.js';
import { readCapture } from '../../src/capture/reader.js';
import type { Report } from '../../src/stats/snapshot.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { childPid, gateLab, type Lab, type LabProcess, SENSOR_IF, withLab } from '../lab/lab.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
/** Ethernet fixtures: what a span port would deliver. */
const FIXTURES = ['lab-v4.pcap', 'lab-v6.pcap', 'lab-mixed.pcapng', 'demo.pcap'];

/** The conversations of a report as "proto a b" → "packets/bytes a→b, packets/bytes b→a". */
function conversations(r: Report): Map<string, string> {
  const m = new Map<string, string>();
  for (const c of r.conversations) {
    // The originator is decided by the same packets in the same order, so a and b agree too.
    m.set(`${c.proto} ${c.a} ${c.b}`, `${c.a_to_b.packets}/${c.a_to_b.bytes} ${c.b_to_a.packets}/${c.b_to_a.bytes} ${c.state ?? ''} ${c.history ?? ''}`);
  }
  return m;
}

function fileReport(file: string): Report {
  const r = spawnSync(process.execPath, [CLI, 'report', file, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`report ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Report;
}

/** Starts `wirestat ARGS --backend BACKEND` on the sensor; resolves once it is listening. */
async function startLive(lab: Lab, backend: BackendName, args: string[]): Promise<LabProcess> {
  const p = lab.spawn('sensor', process.execPath, [CLI, ...args, '--backend', backend], { maxSeconds: 60 });
  await p.waitFor(/listening on /, { timeoutMs: 15_000 });
  return p;
}

/** The processes `pid` started (wirestat's helper), read from /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'latin1').trim();
    if (text !== '') out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}

/** True once `pid` has ended (gone, or a zombie waiting for init to reap it). */
function ended(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Waits (bounded) until `pid` has ended. */
async function waitEnded(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (ended(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return ended(pid);
}

/** Two packet sockets' timestamps of one frame differ by this much at most (see the test). */
const MAX_CLOCK_SKEW_US = 50;

/** CAP_NET_RAW alone, as /proc/PID/status prints a capability set (capability.h: bit 13). */
const NET_RAW_ONLY = '0000000000002000';

/** The backends, and why one cannot run here (null: it can). The lab itself needs tcpdump. */
const BACKENDS: [BackendName, string | null][] = [
  ['cap', loadCap() === null ? 'the cap binding is not installed (apt-get install libpcap-dev, then npm ci)' : null],
  ['helper', null],
];

/** tshark's TCP and UDP conversation rows without the two time columns (relative start and
 *  duration: replay changes the spacing of packets, not the packets), as a sorted list. */
function tsharkConversations(file: string): string[] {
  const r = spawnSync('tshark', ['-n', '-r', file, '-q', '-z', 'conv,tcp', '-z', 'conv,udp'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`tshark -r ${file}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('<->'))
    .map((l) => l.trim().split(/\s+/).slice(0, -2).join(' '))
    .sort();
}

if (gateLab(t)) {
  for (const [backend, missing] of BACKENDS) {
    if (missing !== null) {
      if (process.env.CI === 'true') t.fail(`--backend ${backend}: ${missing} (CI=true: a missing prerequisite fails)`);
      else t.test(`--backend ${backend}`, { skip: missing }, () => undefined);
      continue;
    }
    t.test(`--backend ${backend}`, async (t) => {
      t.test('a replayed fixture, reported live, equals the fixture report', async (t) => {
        await withLab({}, async (lab) => {
          for (const name of FIXTURES) {
            const file = join(CAPTURES, name);
            const want = fileReport(file);
            const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json']);
            const sent = await lab.replay(file);
            // Let the last frames reach the capture before asking it to stop.
            await new Promise((r) => setTimeout(r, 300));
            const end = await p.stop('SIGINT', 10_000);
            t.equal(end.code, 0, `${name}: exit 0 after SIGINT`);
            const got = JSON.parse(p.stdout) as Report;
            t.equal(got.source.kind, 'live');
            t.equal(got.source.packets, sent.successful, `${name}: every replayed frame captured`);
            t.equal(got.source.bytes, want.source.bytes, `${name}: wire bytes`);
            t.same(conversations(got), conversations(want), `${name}: ${want.conversations.length} conversations equal`);
            t.same(got.protocols, want.protocols, `${name}: protocol table`);
            t.equal(got.source.nic?.rx_packets, sent.successful, `${name}: the NIC counted what was sent`);
            t.equal(got.source.capture_loss?.packets, 0, `${name}: no loss`);
          }
        });
      });

      t.test('-f: libpcap filters live as tcpdump -r filters the file', async (t) => {
        const file = join(CAPTURES, 'lab-mixed.pcapng');
        await withLab({}, async (lab) => {
          for (const expr of ['tcp port 8080', 'udp', 'ip6 and tcp', 'icmp or icmp6', 'not arp and host 198.18.0.2']) {
            const want = Number(spawnSync('sh', ['-c', `tcpdump -r '${file}' '${expr}' 2>/dev/null | wc -l`], { encoding: 'utf8' }).stdout.trim());
            const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json', '-f', expr]);
            await lab.replay(file);
            await new Promise((r) => setTimeout(r, 300));
            await p.stop('SIGINT', 10_000);
            const got = JSON.parse(p.stdout) as Report;
            t.equal(got.source.packets, want, `-f '${expr}': ${want} packets, as tcpdump -r`);
            t.equal(got.source.filter, expr);
            // cap has only the NIC counters, which a filter makes meaningless; the helper has the
            // kernel's own count, exact behind a filter too.
            if (backend === 'cap') t.equal(got.source.capture_loss?.packets, null, 'no loss estimate behind a filter');
            else t.equal(got.source.capture_loss?.packets, 0, "the kernel's count of loss, behind a filter too");
          }
        });
      });

      t.test('-Z nobody: uid and capabilities gone before the first packet', async (t) => {
        await withLab({}, async (lab) => {
          const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json', '-Z', 'nobody']);
          // Nothing has been sent yet: whatever decodes later runs with these credentials.
          const status = readFileSync(`/proc/${childPid(p)}/status`, 'latin1');
          t.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'every uid is nobody');
          t.match(status, /^CapEff:\s+0+$/m, 'no effective capabilities');
          t.match(status, /^CapPrm:\s+0+$/m, 'no permitted capabilities');
          if (backend === 'helper') {
            // Only the helper can capture: as the -Z user too, with CAP_NET_RAW and nothing else.
            const helpers = childrenOf(childPid(p));
            t.equal(helpers.length, 1, 'one helper process');
            const h = readFileSync(`/proc/${helpers[0]}/status`, 'latin1');
            t.match(h, /^Name:\s+tcpdump$/m, 'the helper is tcpdump');
            t.match(h, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m, 'the helper runs as nobody');
            t.match(h, new RegExp(`^CapEff:\\s+${NET_RAW_ONLY}$`, 'm'), 'the helper holds CAP_NET_RAW alone');
            t.match(h, new RegExp(`^CapBnd:\\s+${NET_RAW_ONLY}$`, 'm'), 'and can never hold more');
            t.match(h, /^Groups:\s*$/m, 'no supplementary groups');
          }
          const sent = await lab.replay(join(CAPTURES, 'lab-v4.pcap'));
          await new Promise((r) => setTimeout(r, 300));
          await p.stop('SIGINT', 10_000);
          t.equal((JSON.parse(p.stdout) as Report).source.packets, sent.successful, 'and the capture still works');
        });
      });

      t.test('promiscuity returns to its earlier value after SIGINT, SIGTERM and SIGKILL', async (t) => {
        await withLab({}, async (lab) => {
          const before = await lab.promiscuity('sensor', SENSOR_IF);
          for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
            const p = await startLive(lab, backend, ['live', '-i', SENSOR_IF, '--json']);
            const pid = childPid(p);
            const helpers = childrenOf(pid);
            t.equal(helpers.length, backend === 'helper' ? 1 : 0, `${signal}: ${backend === 'helper' ? 'one helper' : 'no helper'}`);
            t.equal(await lab.promiscuity('sensor', SENSOR_IF), before + 1, `${signal}: promiscuous while capturing`);
            process.kill(pid, signal);
            const end = await p.exited;
            // The helper dies with wirestat: stopped by it, or after SIGKILL by the kernel's
            // parent-death signal.
            for (const h of helpers) t.ok(await waitEnded(h, 3000), `${signal}: the helper ${h} has ended`);
            if (signal !== 'SIGKILL') {
              t.equal(end.code, 0, `${signal}: exit 0 (${end.code} ${end.signal}: ${p.stderr.trim()})`);
              t.equal((JSON.parse(p.stdout) as Report).source.kind, 'live', `${signal}: the final report is printed`);
            }
            t.equal(await lab.promiscuity('sensor', SENSOR_IF), before, `${signal}: promiscuity back to ${before}`);
          }
        });
      });

      t.test('-w: the saved file gives tshark the same conversations; after kill -9 it still reads', async (t) => {
        const dir = mkdtempSync(join(tmpdir(), 'wirestat-livew-'));
        await withLab({}, async (lab) => {
          const fixture = join(CAPTURES, 'lab-mixed.pcapng');
          const out = join(dir, 'saved.pcap');
          const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json', '-w', out]);
          const sent = await lab.replay(fixture);
          await new Promise((r) => setTimeout(r, 300));
          await p.stop('SIGINT', 10_000);
          const want = tsharkConversations(fixture);
          t.ok(want.length > 10, `${want.length} tshark conversations in the fixture`);
          t.same(tsharkConversations(out), want, 'tshark reads the same conversations from the saved file');
          let records = 0;
          const src = await readCapture(out, () => void records++);
          t.equal(records, sent.successful, 'every captured packet saved');
          t.same(src.errors, []);
          // The sensor's own view beside it, from before the first packet to after the last.
          const host = loadHostSnapshots(`${out}.host.json`);
          t.ok(host.length >= 2, `${host.length} snapshots beside the capture`);
          const first = host[0]!.interfaces.find((i) => i.name === SENSOR_IF)!.statistics.rx_packets!;
          const last = host[host.length - 1]!.interfaces.find((i) => i.name === SENSOR_IF)!.statistics.rx_packets!;
          t.equal(last - first, sent.successful, `${SENSOR_IF} received every packet sent between the first and the last`);

          // kill -9 while packets still arrive: the default flushing (at least once a second) has
          // written whole records only, so every reader takes the file to its last record.
          const killed = join(dir, 'killed.pcap');
          const k = await startLive(lab, backend, ['live', '-i', SENSOR_IF, '-w', killed]);
          // 2,153 packets at 500/s: over 4 s. The helper's records reach the file later (libpcap
          // hands tcpdump a partly filled block after its 1 s timeout, then our one-second
          // flushing), so it is killed later, still while packets arrive.
          const replay = lab.replay(join(CAPTURES, 'demo.pcap'), { pps: 500 });
          await new Promise((r) => setTimeout(r, backend === 'helper' ? 2800 : 1300));
          process.kill(childPid(k), 'SIGKILL');
          await k.exited;
          await replay;
          t.ok(loadHostSnapshots(`${killed}.host.json`).length >= 1, 'live -w: the host view beside it, whole lines to the kill');
          let n = 0;
          const got = await readCapture(killed, () => void n++);
          t.same(got.errors, [], 'our reader: no error');
          t.ok(n > 0, `${n} records saved before the kill`);
          const ts = spawnSync('tshark', ['-r', killed], { encoding: 'utf8', maxBuffer: 1 << 26 });
          t.equal(ts.status, 0, 'tshark reads it');
          t.notMatch(ts.stderr, /cut short|appears to be damaged|corrupt/i, 'tshark: not cut short');
          const td = spawnSync('tcpdump', ['-r', killed], { encoding: 'utf8', maxBuffer: 1 << 26 });
          t.equal(td.status, 0, 'tcpdump reads it');
          t.notMatch(td.stderr, /truncated dump file|bogus/i, 'tcpdump: not truncated');
        });
      });

      t.test('live without --json and not on a terminal: a block a second, the last one counts everything', async (t) => {
        await withLab({}, async (lab) => {
          const p = await startLive(lab, backend, ['live', '-i', SENSOR_IF]);
          const sent = await lab.replay(join(CAPTURES, 'lab-v4.pcap'));
          // Long enough for a tick while running, so blocks come before the stop too.
          await new Promise((r) => setTimeout(r, 1300));
          await p.stop('SIGINT', 10_000);
          const blocks = p.stdout.trimEnd().split('\n\n');
          t.ok(blocks.length >= 2, `${blocks.length} blocks`);
          const last = blocks[blocks.length - 1]!.split('\n')[0]!;
          t.match(last, /\(finished\)/);
          t.equal(Number(/packets ([\d,]+)/.exec(last)![1]!.replace(/,/g, '')), sent.successful, 'the last block counts every packet');
          t.match(last, /lost 0/, 'no loss');
        });
      });

      if (backend === 'helper') {
        t.test("the helper's records carry the kernel's timestamps: those of a tcpdump beside it", async (t) => {
          await withLab({}, async (lab) => {
            const beside = join(lab.dir, 'beside.pcap');
            const saved = join(lab.dir, 'saved.pcap');
            const td = await lab.tcpdump('sensor', SENSOR_IF, beside);
            const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json', '-w', saved]);
            const sent = await lab.replay(join(CAPTURES, 'lab-v4.pcap'));
            await new Promise((r) => setTimeout(r, 300));
            await p.stop('SIGINT', 10_000);
            await td.stop();
            const times = async (file: string): Promise<number[]> => {
              const out: number[] = [];
              await readCapture(file, (rec) => void out.push(rec.tsSec * 1e6 + Math.floor(rec.tsNsec / 1000)));
              return out;
            };
            const want = await times(beside);
            const got = await times(saved);
            t.equal(want.length, sent.successful, 'tcpdump saw every packet');
            t.equal(got.length, sent.successful, 'wirestat saved every packet');
            // Each packet socket reads the clock itself as the frame reaches it, in the same
            // softirq pass: a few µs apart (3 µs measured), far less than the 50 µs between two
            // replayed frames; a time taken in JavaScript on arrival would be off by far more.
            const off = Math.max(...got.map((g, i) => Math.abs(g - want[i]!)));
            t.ok(off <= MAX_CLOCK_SKEW_US, `every packet's time within ${MAX_CLOCK_SKEW_US} µs of tcpdump's (at most ${off} µs)`);
            const r = JSON.parse(p.stdout) as Report;
            t.ok(Math.abs(r.source.first_ts! * 1e6 - got[0]!) < 1, 'the report starts at the first kernel time');
            t.ok(Math.abs(r.source.last_ts! * 1e6 - got[got.length - 1]!) < 1, 'and ends at the last');
          });
        });

        t.test("the kernel's drops reach capture_loss: the helper stopped while a burst overruns its buffer", async (t) => {
          await withLab({}, async (lab) => {
            const p = await startLive(lab, backend, ['report', '-i', SENSOR_IF, '--json', '-B', '1']);
            const [helper] = childrenOf(childPid(p));
            process.kill(helper!, 'SIGSTOP');
            let sent;
            try {
              sent = await lab.replay(join(CAPTURES, 'demo.pcap'), { pps: 'top' });
            } finally {
              process.kill(helper!, 'SIGCONT');
            }
            await new Promise((r) => setTimeout(r, 300));
            const end = await p.stop('SIGINT', 10_000);
            t.equal(end.code, 0, `exit 0 (${end.code} ${end.signal}: ${p.stderr.trim()})`);
            const got = JSON.parse(p.stdout) as Report;
            const lost = got.source.capture_loss?.packets ?? -1;
            t.ok(lost > 0 && got.source.packets > 0, `${got.source.packets} captured, ${lost} lost`);
            t.equal(got.source.packets + lost, sent.successful, 'captured + lost = sent');
            t.equal(Number(/^(\d+) packets dropped by kernel$/m.exec(p.stderr)?.[1]), lost, "the kernel's count, printed at the end");
          });
        });
      }
    });
  }
}
