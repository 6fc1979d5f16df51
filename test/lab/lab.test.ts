/**
 * The lab itself is exact, with tcpdump as the oracle: every Ethernet fixture replayed into the hub
 * arrives at the sensor record for record (same count, same bytes, same order), with nothing
 * added and nothing lost; real traffic between the hosts is seen as the hosts see it; the lab is
 * quiet, isolated from a second lab, and leaves nothing behind, also when its process is killed.
 * Needs root (see lab.ts): skipped otherwise with one line, a failure when CI=true.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LINKTYPE } from '../../src/capture/linktype.js';
import { readCapture } from '../../src/capture/reader.js';
import { ROOT } from '../helpers/cli.js';
import { bytes, ethernet, ipv4, pcapFile, u16, udp } from '../helpers/craft.js';
import {
  ATTACH,
  HOST_ADDR,
  HOST_IF,
  HUB_MAC,
  LAB_PREFIX,
  type Lab,
  SENSOR_IF,
  gateLab,
  listNamespaces,
  removeLeftovers,
  withLab,
} from './lab.js';

const CAPTURES = join(ROOT, 'fixtures/captures');
const HOLD_LAB = join(ROOT, 'test/lab/hold-lab.ts');
/** pcap file header and record header, as tcpdump writes them. */
const PCAP_FILE_HEADER = 24;
const PCAP_RECORD_HEADER = 16;
/** After the last expected frame, how long the sensor must stay silent: a stray frame or a
 *  duplicate would arrive within it. */
const QUIET_MS = 200;
const FILE_STARTED = Date.now();

interface Frame {
  caplen: number;
  wirelen: number;
  data: Buffer;
}

/** Every record of a capture, copied out of the reader's buffer (it is reused per record). */
async function framesOf(file: string): Promise<{ linktypes: number[]; frames: Frame[] }> {
  const frames: Frame[] = [];
  const s = await readCapture(file, (r) => frames.push({ caplen: r.caplen, wirelen: r.wirelen, data: Buffer.from(r.data) }));
  if (s.errors.length) throw new Error(`${file}: ${s.errors.map((e) => `${e.offset}: ${e.reason}`).join('; ')}`);
  return { linktypes: s.linktypes, frames };
}

/** The first record where two captures differ, or null when they are equal record for record. */
function firstDifference(want: Frame[], got: Frame[]): string | null {
  const n = Math.min(want.length, got.length);
  for (let i = 0; i < n; i++) {
    const a = want[i]!;
    const b = got[i]!;
    if (a.caplen !== b.caplen || a.wirelen !== b.wirelen) return `record ${i}: length ${a.caplen}/${a.wirelen} sent, ${b.caplen}/${b.wirelen} seen`;
    if (!a.data.equals(b.data)) {
      let at = 0;
      while (a.data[at] === b.data[at]) at++;
      return `record ${i}: bytes differ from offset ${at}`;
    }
  }
  if (want.length !== got.length) return `${want.length} records sent, ${got.length} seen`;
  return null;
}

const pcapSize = (frames: Frame[]) => frames.reduce((n, f) => n + PCAP_RECORD_HEADER + f.caplen, PCAP_FILE_HEADER);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sizeOf = (file: string) => (existsSync(file) ? statSync(file).size : 0);

/** Waits (bounded) until `file` has at least `size` bytes; returns its size then. */
async function waitForSize(file: string, size: number, maxMs = 10_000): Promise<number> {
  const t0 = Date.now();
  while (sizeOf(file) < size && Date.now() - t0 < maxMs) await sleep(10);
  return sizeOf(file);
}

/** Waits (bounded) until the files stop growing and have the same size. */
async function waitSameAndStill(a: string, b: string, stillMs = 300, maxMs = 5000): Promise<void> {
  const t0 = Date.now();
  let last = '';
  let since = Date.now();
  while (Date.now() - t0 < maxMs) {
    const now = `${sizeOf(a)} ${sizeOf(b)}`;
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (sizeOf(a) === sizeOf(b) && Date.now() - since >= stillMs) return;
    await sleep(20);
  }
}

/** Alive and not a zombie (a killed orphan may wait to be reaped). */
function processAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const ours = (prefix: string) => listNamespaces().filter((n) => n.startsWith(`${prefix}-`));

interface ReplayCheck {
  sent: Frame[];
  seen: Frame[];
  replayed: number;
  failed: number;
  tcpdumpDropped: number;
  rxPackets: number;
  rxBytes: number;
  rxDropped: number;
  ms: number;
}

/**
 * tcpdump on e0 (waiting until it listens), tcpreplay of `file` from the player, then wait until
 * the whole of it has been written plus a quiet interval, stop tcpdump and read both files.
 */
async function replayAndCapture(lab: Lab, file: string, pps?: number | 'top'): Promise<ReplayCheck> {
  const t0 = Date.now();
  const sent = (await framesOf(file)).frames;
  const out = join(lab.dir, `${file.split('/').pop()}.sensor.pcap`);
  const before = await lab.nicCounters('sensor', SENSOR_IF);
  const cap = await lab.tcpdump('sensor', SENSOR_IF, out);
  const rep = await lab.replay(file, pps === undefined ? {} : { pps });
  await waitForSize(out, pcapSize(sent));
  await sleep(QUIET_MS);
  const stats = await cap.stop();
  const after = await lab.nicCounters('sensor', SENSOR_IF);
  const seen = (await framesOf(out)).frames;
  const d = (k: string) => (after[k] ?? NaN) - (before[k] ?? NaN);
  return {
    sent,
    seen,
    replayed: rep.packets,
    failed: rep.failed,
    tcpdumpDropped: stats.dropped,
    rxPackets: d('rx_packets'),
    rxBytes: d('rx_bytes'),
    rxDropped: d('rx_dropped'),
    ms: Date.now() - t0,
  };
}

/** A subtest, as t.test hands it to its callback. */
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

function checkExact(t: Test, r: ReplayCheck, what: string): void {
  t.equal(r.failed, 0, `${what}: tcpreplay failed no packet`);
  t.equal(r.replayed, r.sent.length, `${what}: tcpreplay sent all ${r.sent.length}`);
  t.equal(r.tcpdumpDropped, 0, `${what}: tcpdump dropped nothing`);
  t.equal(firstDifference(r.sent, r.seen), null, `${what}: ${r.seen.length} records seen, equal to those sent in bytes and order`);
  t.equal(r.rxPackets, r.sent.length, `${what}: e0 rx_packets grew by exactly the frames sent`);
  t.equal(r.rxBytes, r.sent.reduce((n, f) => n + f.wirelen, 0), `${what}: e0 rx_bytes grew by exactly their bytes`);
  t.equal(r.rxDropped, 0, `${what}: e0 rx_dropped unchanged`);
}

// Offsets into an untagged Ethernet frame, for telling the hosts' traffic apart.
const ETH_TYPE = 12;
const ETH_PAYLOAD = 14;
const IPV4_PROTO = ETH_PAYLOAD + 9;
const IPV4_IHL = ETH_PAYLOAD;
const IPV6_NEXT = ETH_PAYLOAD + 6;
const IPV6_HEADER = 40;
const TCP_FLAGS = 13;
const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd } as const;
const PROTO_TCP = 6;
const PROTO_ICMPV6 = 58;
const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
const ICMPV6_NS = 135;
const ICMPV6_NA = 136;

/** What a frame of the hosts' traffic is: 'tcp', 'tcp-syn' (SYN without ACK), 'arp', 'ns', 'na', or
 *  'other:…'. */
function kind(f: Frame): string {
  const d = f.data;
  const type = d.readUInt16BE(ETH_TYPE);
  if (type === ETHERTYPE.ARP) return 'arp';
  let proto = -1;
  let l4 = -1;
  if (type === ETHERTYPE.IPV4) {
    proto = d[IPV4_PROTO]!;
    l4 = ETH_PAYLOAD + (d[IPV4_IHL]! & 0x0f) * 4;
  } else if (type === ETHERTYPE.IPV6) {
    proto = d[IPV6_NEXT]!;
    l4 = ETH_PAYLOAD + IPV6_HEADER;
  }
  if (proto === PROTO_TCP) return (d[l4 + TCP_FLAGS]! & (TCP_SYN | TCP_ACK)) === TCP_SYN ? 'tcp-syn' : 'tcp';
  if (proto === PROTO_ICMPV6 && d[l4] === ICMPV6_NS) return 'ns';
  if (proto === PROTO_ICMPV6 && d[l4] === ICMPV6_NA) return 'na';
  return `other:0x${type.toString(16)}/${proto}`;
}

const tally = (xs: string[]) => xs.reduce<Record<string, number>>((m, x) => ((m[x] = (m[x] ?? 0) + 1), m), {});
const sortedHex = (fs: Frame[]) => fs.map((f) => f.data.toString('hex')).sort();

/**
 * HTTP from h1 to h2 over IPv4 and IPv6 (python's http.server, one dual-stack socket; curl,
 * bounded), captured at once by tcpdump on the sensor and on h1's own interface.
 */
async function hostExchange(lab: Lab): Promise<{ sensor: Frame[]; h1: Frame[]; codes: string[] }> {
  const www = join(lab.dir, 'www');
  await lab.exec('h2', 'sh', ['-c', `mkdir -p ${www} && head -c 20000 /dev/zero | tr '\\0' x > ${www}/x.txt`]);
  const server = lab.spawn('h2', 'python3', ['-u', '-m', 'http.server', '8080', '--bind', '::', '--directory', www], { maxSeconds: 30 });
  await server.waitFor(/Serving HTTP/, { stream: 'stdout' });
  const sensorFile = join(lab.dir, 'exchange.sensor.pcap');
  const h1File = join(lab.dir, 'exchange.h1.pcap');
  const sensor = await lab.tcpdump('sensor', SENSOR_IF, sensorFile);
  const h1 = await lab.tcpdump('h1', HOST_IF, h1File);
  const codes: string[] = [];
  for (const url of [`http://${HOST_ADDR.h2.ipv4}:8080/x.txt`, `http://[${HOST_ADDR.h2.ipv6}]:8080/x.txt`]) {
    const r = await lab.exec('h1', 'curl', ['--noproxy', '*', '-g', '-s', '-o', '/dev/null', '--connect-timeout', '2', '--max-time', '5', '-w', '%{http_code}', url]);
    codes.push(r.stdout);
  }
  await waitSameAndStill(sensorFile, h1File);
  await sensor.stop();
  await h1.stop();
  await server.stop();
  return { sensor: (await framesOf(sensorFile)).frames, h1: (await framesOf(h1File)).frames, codes };
}

if (gateLab(t)) {
  t.teardown(() => {
    t.comment(`lab.test.ts: ${((Date.now() - FILE_STARTED) / 1000).toFixed(1)} s in all`);
  });

  t.test('every Ethernet fixture replays exactly: tcpdump on the sensor sees what was sent', async (t) => {
    const files = readdirSync(CAPTURES)
      .filter((f) => /\.(pcap|pcapng)$/.test(f))
      .sort()
      .map((f) => join(CAPTURES, f));
    const ethernetOnly: string[] = [];
    for (const f of files) {
      const { linktypes } = await framesOf(f);
      if (linktypes.length > 0 && linktypes.every((l) => l === LINKTYPE.EN10MB)) ethernetOnly.push(f);
    }
    t.ok(ethernetOnly.length >= 7, `${ethernetOnly.length} EN10MB fixtures of ${files.length}`);
    const t0 = Date.now();
    // Hosts that resolve neighbours on the wire are present: replayed ARP, NDP and multicast
    // must not make them say anything.
    await withLab({ hosts: true, resolve: 'learned' }, async (lab) => {
      t.comment(`lab with hosts built in ${Date.now() - t0} ms`);
      let frames = 0;
      for (const f of ethernetOnly) {
        const r = await replayAndCapture(lab, f);
        checkExact(t, r, f.split('/').pop()!);
        frames += r.sent.length;
        t.comment(`${f.split('/').pop()}: ${r.sent.length} frames in ${r.ms} ms`);
      }
      // The same at tcpreplay's top speed: the margin of the default rate.
      const top = await replayAndCapture(lab, join(CAPTURES, 'demo.pcap'), 'top');
      checkExact(t, top, 'demo.pcap at --topspeed');
      t.comment(`${frames} frames at the default rate, ${top.sent.length} at top speed; ${Date.now() - t0} ms with build and removal`);
    });
  });

  t.test('a fresh lab is quiet and its veths do not offload', async (t) => {
    await withLab({ hosts: true, resolve: 'learned' }, async (lab) => {
      const before = await lab.nicCounters('sensor', SENSOR_IF);
      const file = join(lab.dir, 'quiet.pcap');
      const cap = await lab.tcpdump('sensor', SENSOR_IF, file);
      await sleep(1000);
      const stats = await cap.stop();
      const after = await lab.nicCounters('sensor', SENSOR_IF);
      t.equal(stats.captured, 0, 'tcpdump on e0 saw nothing in 1 s');
      t.equal((await framesOf(file)).frames.length, 0, 'its file has no record');
      t.equal(after['rx_packets'], before['rx_packets'], 'e0 rx_packets unchanged');
      for (const [role, ifname] of [['sensor', SENSOR_IF], ['player', ATTACH.player.ifname], ['h1', HOST_IF], ['hub', ATTACH.sensor.port]] as const) {
        const k = await lab.exec(role, 'ethtool', ['-k', ifname]);
        const off = ['tx-checksumming', 'scatter-gather', 'tcp-segmentation-offload', 'generic-segmentation-offload', 'generic-receive-offload'];
        const on = off.filter((f) => new RegExp(`^${f}: on`, 'm').test(k.stdout));
        t.same(on, [], `${role} ${ifname}: checksum, SG, TSO, GSO and GRO off`);
      }
      const mtu = await lab.exec('sensor', 'cat', [`/sys/class/net/${SENSOR_IF}/mtu`]);
      t.equal(mtu.stdout.trim(), '9000', 'e0 MTU 9000');
    });
  });

  t.test('what the hub passes and drops', async (t) => {
    const mac = (m: string) => m.replace(/:/g, ' ');
    const A = '02 00 00 00 00 01';
    const B = '02 00 00 00 00 02';
    const payload = udp(1024, 2048, Buffer.alloc(18, 0x55));
    const ip = ipv4(17, '198.18.0.1', '198.18.0.2', payload);
    const llc = bytes('42 42 03', Buffer.alloc(40));
    const frame = (dst: string, src: string, type: number, body: Buffer) => ethernet(type, body, dst, src);
    const cases: { name: string; data: Buffer; passes: boolean }[] = [
      { name: 'unicast IPv4/UDP', data: frame(B, A, 0x0800, ip), passes: true },
      { name: 'broadcast', data: frame('ff ff ff ff ff ff', A, 0x0806, Buffer.alloc(28)), passes: true },
      { name: 'STP BPDU to 01:80:c2:00:00:00 (STP off: forwarded)', data: Buffer.concat([bytes('01 80 c2 00 00 00', A), u16(llc.length), llc]), passes: true },
      { name: 'PAUSE to 01:80:c2:00:00:01', data: frame('01 80 c2 00 00 01', A, 0x8808, bytes('0001 ffff', Buffer.alloc(42))), passes: false },
      { name: 'LACP to 01:80:c2:00:00:02', data: frame('01 80 c2 00 00 02', A, 0x8809, bytes('01 01', Buffer.alloc(44))), passes: true },
      { name: '802.1X to 01:80:c2:00:00:03', data: frame('01 80 c2 00 00 03', A, 0x888e, bytes('01 01 0000', Buffer.alloc(42))), passes: true },
      { name: 'LLDP to 01:80:c2:00:00:0e', data: frame('01 80 c2 00 00 0e', A, 0x88cc, bytes('0207 04 020000000001', Buffer.alloc(36))), passes: true },
      { name: 'multicast source MAC', data: frame(B, '01 00 5e 00 00 01', 0x0800, ip), passes: false },
      { name: 'broadcast source MAC', data: frame(B, 'ff ff ff ff ff ff', 0x0800, ip), passes: false },
      { name: 'all-zero source MAC', data: frame(B, '00 00 00 00 00 00', 0x0800, ip), passes: false },
      { name: 'all-zero destination MAC', data: frame('00 00 00 00 00 00', A, 0x0800, ip), passes: true },
      { name: "to the bridge's own MAC", data: frame(mac(HUB_MAC), A, 0x0800, ip), passes: true },
      { name: "to the sensor port's MAC", data: frame(mac(ATTACH.sensor.portMac), A, 0x0800, ip), passes: true },
      { name: "to the player port's MAC", data: frame(mac(ATTACH.player.portMac), A, 0x0800, ip), passes: true },
      { name: "to e0's own MAC", data: frame(mac(ATTACH.sensor.mac), A, 0x0800, ip), passes: true },
      { name: 'from the sensor port\'s MAC', data: frame(B, mac(ATTACH.sensor.portMac), 0x0800, ip), passes: true },
      { name: '802.1Q tag (PCP 5, VID 100)', data: frame(B, A, 0x8100, Buffer.concat([u16(0xa064), u16(0x0800), ip])), passes: true },
      { name: '802.1ad + 802.1Q', data: frame(B, A, 0x88a8, Buffer.concat([u16(0x00c8), u16(0x8100), u16(0x0064), u16(0x0800), ip])), passes: true },
      { name: 'VLAN tag with VID 0 (priority tag)', data: frame(B, A, 0x8100, Buffer.concat([u16(0x6000), u16(0x0800), ip])), passes: true },
      { name: 'VLAN tag with TCI 0', data: frame(B, A, 0x8100, Buffer.concat([u16(0x0000), u16(0x0800), ip])), passes: true },
      { name: 'header only (14 bytes, unpadded)', data: frame(B, A, 0x88b5, Buffer.alloc(0)), passes: true },
      { name: '20 bytes (no padding to 60)', data: frame(B, A, 0x88b5, Buffer.alloc(6, 1)), passes: true },
      { name: 'bad IPv4 header (IHL 3) passes: no netfilter on the bridge', data: frame(B, A, 0x0800, ipv4(17, '198.18.0.1', '198.18.0.2', payload, { ihl: 3 })), passes: true },
      { name: 'largest at MTU 9000 (9014 bytes)', data: frame(B, A, 0x88b5, Buffer.alloc(9000, 0xab)), passes: true },
      { name: 'largest 802.1Q-tagged at MTU 9000 (9018 bytes)', data: frame(B, A, 0x8100, Buffer.concat([u16(0x0064), u16(0x88b5), Buffer.alloc(9000, 0xab)])), passes: true },
    ];
    await withLab({}, async (lab) => {
      const file = join(lab.dir, 'edges.pcap');
      writeFileSync(file, pcapFile(cases.map((c) => ({ data: c.data }))));
      const sentAll = (await framesOf(file)).frames;
      const out = join(lab.dir, 'edges.sensor.pcap');
      const cap = await lab.tcpdump('sensor', SENSOR_IF, out);
      const rep = await lab.replay(file);
      const expected = sentAll.filter((_, i) => cases[i]!.passes);
      await waitForSize(out, pcapSize(expected));
      await sleep(QUIET_MS);
      await cap.stop();
      t.equal(rep.packets, cases.length, 'tcpreplay sent every case');
      const seen = (await framesOf(out)).frames;
      const seenHex = new Set(seen.map((f) => f.data.toString('hex')));
      for (const [i, c] of cases.entries()) {
        t.equal(seenHex.has(sentAll[i]!.data.toString('hex')), c.passes, `${c.name}: ${c.passes ? 'arrives unchanged' : 'dropped'}`);
      }
      t.equal(firstDifference(expected, seen), null, 'what passes arrives in order, nothing else');

      // Larger than the MTU: the packet socket refuses it (EMSGSIZE), so it is never on the wire.
      const big = join(lab.dir, 'big.pcap');
      writeFileSync(big, pcapFile([{ data: frame(B, A, 0x88b5, Buffer.alloc(9001, 0xab)) }]));
      await t.rejects(lab.replay(big), /1 failed/, 'a 9015-byte frame: tcpreplay reports it failed');
      // Shorter than an Ethernet header: the kernel refuses or pads it, never sends it as it is.
      const runt = join(lab.dir, 'runt.pcap');
      writeFileSync(runt, pcapFile([{ data: bytes(B, A) }]));
      const runtOut = join(lab.dir, 'runt.sensor.pcap');
      const runtCap = await lab.tcpdump('sensor', SENSOR_IF, runtOut);
      const runtRep = await lab.replay(runt).then(
        (r) => `sent (${r.packets})`,
        (e: Error) => `refused: ${/1 failed/.test(e.message) ? '1 failed' : e.message}`,
      );
      await sleep(QUIET_MS);
      await runtCap.stop();
      const runtSeen = (await framesOf(runtOut)).frames;
      t.notOk(runtSeen.some((f) => f.caplen === 12), `a 12-byte frame never arrives as it is (tcpreplay: ${runtRep}; seen: ${runtSeen.map((f) => f.caplen).join(',') || 'nothing'})`);
    });
  });

  t.test('real traffic between h1 and h2 is seen on the sensor as h1 sees it', async (t) => {
    for (const resolve of ['static', 'learned'] as const) {
      const t0 = Date.now();
      await withLab({ hosts: true, resolve }, async (lab) => {
        const { sensor, h1, codes } = await hostExchange(lab);
        t.same(codes, ['200', '200'], `${resolve}: curl got 200 over IPv4 and IPv6`);
        const kinds = tally(sensor.map(kind));
        t.equal(kinds['tcp-syn'], 2, `${resolve}: two connections (SYNs) on the sensor`);
        t.ok((kinds['tcp'] ?? 0) >= 20, `${resolve}: ${kinds['tcp']} more TCP segments (two 20 kB replies and their ACKs)`);
        if (resolve === 'static') {
          t.same(Object.keys(kinds).sort(), ['tcp', 'tcp-syn'], 'static: nothing but TCP (no ARP, NDP, MLD)');
        } else {
          t.same(Object.keys(kinds).sort(), ['arp', 'na', 'ns', 'tcp', 'tcp-syn'], 'learned: TCP, plus ARP and NS/NA before the first packets');
          t.equal(kinds['arp'], 2, 'learned: one ARP request and its reply');
        }
        t.ok(sensor.every((f) => f.caplen === f.wirelen && f.wirelen <= 1514), `${resolve}: every frame whole and at most 1514 bytes (no offload)`);
        t.equal(sensor.length, h1.length, `${resolve}: the sensor saw as many frames as h1 (${h1.length})`);
        t.same(sortedHex(sensor), sortedHex(h1), `${resolve}: and the same frames`);
      });
      t.comment(`${resolve}: ${Date.now() - t0} ms`);
    }
  });

  t.test('promiscuity of e0 is 0, 1 while tcpdump runs, 0 again after', async (t) => {
    await withLab({}, async (lab) => {
      t.equal(await lab.promiscuity('sensor', SENSOR_IF), 0, 'fresh e0: 0');
      t.equal(await lab.promiscuity('hub', ATTACH.sensor.port), 1, 'its hub port: 1 (a bridge port is promiscuous)');
      const cap = await lab.tcpdump('sensor', SENSOR_IF, join(lab.dir, 'p.pcap'));
      t.equal(await lab.promiscuity('sensor', SENSOR_IF), 1, 'while tcpdump runs: 1');
      const cap2 = await lab.tcpdump('sensor', SENSOR_IF, join(lab.dir, 'p2.pcap'), { args: ['-p'] });
      t.equal(await lab.promiscuity('sensor', SENSOR_IF), 1, 'a second tcpdump with -p adds nothing');
      await cap2.stop();
      await cap.stop();
      t.equal(await lab.promiscuity('sensor', SENSOR_IF), 0, 'after both stopped: 0');
    });
  });

  t.test('two labs at once are separate', async (t) => {
    await withLab({}, async (a) =>
      withLab({}, async (b) => {
        t.not(a.prefix, b.prefix, `two prefixes: ${a.prefix}, ${b.prefix}`);
        const bCap = await b.tcpdump('sensor', SENSOR_IF, join(b.dir, 'other.pcap'));
        const r = await replayAndCapture(a, join(CAPTURES, 'lab-v6.pcap'));
        checkExact(t, r, 'lab-v6.pcap in lab A');
        const s = await bCap.stop();
        t.equal(s.captured, 0, "lab B's sensor saw none of it");
      }),
    );
  });

  t.test('exec and spawn are bounded; stop() removes processes and namespaces', async (t) => {
    let prefix = '';
    let pid = 0;
    await withLab({ hosts: true }, async (lab) => {
      prefix = lab.prefix;
      t.same(ours(prefix).sort(), ['h1', 'h2', 'hub', 'player', 'sensor'].map((r) => `${prefix}-${r}`), 'five namespaces while it runs');
      const slow = await lab.exec('sensor', 'sleep', ['10'], { timeoutMs: 300 });
      t.ok(slow.timedOut && slow.ms < 3000, `exec past its timeout is killed (${slow.ms} ms)`);
      const ok = await lab.exec('h1', 'ip', ['-4', '-o', 'addr', 'show', 'dev', HOST_IF]);
      t.match(ok.stdout, `inet ${HOST_ADDR.h1.ipv4}/24`, 'exec runs inside the namespace');
      const routes = await lab.exec('h1', 'ip', ['route', 'show', 'default']);
      t.equal(routes.stdout.trim(), '', 'no default route in h1');
      const bg = lab.spawn('h2', 'sleep', ['30']);
      pid = bg.pid!;
      t.ok(processAlive(pid), 'spawned process runs');
    });
    t.same(ours(prefix), [], 'no namespace with the prefix after stop()');
    t.notOk(processAlive(pid), 'the spawned process was killed');

    let failing = '';
    await t.rejects(
      withLab({}, async (lab) => {
        failing = lab.prefix;
        throw new Error('a test failed inside the lab');
      }),
      /a test failed inside the lab/,
      "withLab passes the callback's error on",
    );
    t.same(ours(failing), [], 'and removes the lab all the same');
    await withLab({}, async (lab) => {
      await t.rejects(lab.exec('h1', 'true'), /has no h1/, 'exec in a host of a lab without hosts: rejected');
    });
  });

  t.test('an interrupted run: SIGTERM cleans up itself, SIGKILL leaves what the next lab removes', async (t) => {
    const hold = async (signal: NodeJS.Signals) => {
      // The child runs TypeScript through the same loader as this file.
      const child = spawn(process.execPath, [...process.execArgv, HOLD_LAB], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
      let out = '';
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`hold-lab not ready: ${err}`)), 20_000);
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.trim());
          }
        });
        child.on('exit', () => reject(new Error(`hold-lab exited: ${err}`)));
      });
      const [prefix, sleeper] = line.split(' ') as [string, string];
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
      child.kill(signal);
      return { prefix, sleeper: Number(sleeper), signal: await exited };
    };
    const [term, kill] = await Promise.all([hold('SIGTERM'), hold('SIGKILL')]);
    t.equal(term.signal, 'SIGTERM', 'SIGTERM: the child still dies of the signal');
    t.same(ours(term.prefix), [], 'SIGTERM: its namespaces are gone');
    t.notOk(processAlive(term.sleeper), 'SIGTERM: its process in the lab is gone');
    t.notOk(existsSync(join(tmpdir(), term.prefix)), 'SIGTERM: its scratch directory is gone');
    t.equal(kill.signal, 'SIGKILL');
    // A lab starting meanwhile in another test file may have removed them already: every start
    // runs removeLeftovers(), and the child's pid is dead.
    const left = ours(kill.prefix).length;
    t.ok(left === 3 || left === 0, `SIGKILL: its three namespaces are left (${left}; 0 when another lab's start was quicker)`);
    const removed = removeLeftovers();
    if (left === 3) t.ok(removed.includes(`${kill.prefix}-hub`), 'removeLeftovers() (run by every lab start) removes them');
    t.same(ours(kill.prefix), [], 'SIGKILL: nothing left after that');
    t.notOk(processAlive(kill.sleeper), 'SIGKILL: the process it left in the lab was killed too');
    t.notOk(existsSync(join(tmpdir(), kill.prefix)), 'SIGKILL: and its scratch directory removed');
  });

  t.test('nothing with our prefix is left', async (t) => {
    t.same(ours(`${LAB_PREFIX}${process.pid}`), [], `ip netns list has no ${LAB_PREFIX}${process.pid}-…`);
  });
}
