/**
 * The aggregate: endpoint totals derived from conversation rows must equal counting every
 * packet directly (checked against a per-packet reference count over packets whose MACs change
 * mid-conversation), and a full conversation table refuses new conversations without losing
 * their packets from the totals.
 */
import t from 'tap';
import { CaptureRecord } from '../../src/capture/source.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { buildReport } from '../../src/stats/snapshot.js';
import type { FlowTableOptions } from '../../src/stats/flow-policy.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ethernet, ipv4, tcp, TCP_FLAGS, udp } from '../helpers/craft.js';

interface Pkt {
  frame: Buffer;
  srcMac: string;
  dstMac: string;
  src: string;
  dst: string;
}

function mac(n: number): string {
  return `02 00 00 00 00 ${n.toString(16).padStart(2, '0')}`;
}

function run(pkts: Pkt[], flows?: FlowTableOptions) {
  const stats = new WireStats(flows ? { flows } : {});
  const s = new PacketSummary();
  const rec = new CaptureRecord();
  for (const p of pkts) {
    rec.buf = p.frame;
    rec.offset = 0;
    rec.caplen = rec.wirelen = p.frame.length;
    rec.linktype = 1;
    decodePacket(rec, s);
    stats.ingest(s);
  }
  return buildReport(stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 });
}

/** Per-packet reference: add each packet to its endpoints directly. */
function reference(pkts: Pkt[]) {
  const m = new Map<string, { tx: [number, number]; rx: [number, number] }>();
  const add = (addr: string, tx: boolean, bytes: number) => {
    const e = m.get(addr) ?? { tx: [0, 0], rx: [0, 0] };
    const c = tx ? e.tx : e.rx;
    c[0]++;
    c[1] += bytes;
    m.set(addr, e);
  };
  for (const p of pkts) {
    add(p.src, true, p.frame.length);
    add(p.dst, false, p.frame.length);
    add(p.srcMac.replace(/ /g, ':'), true, p.frame.length);
    add(p.dstMac.replace(/ /g, ':'), false, p.frame.length);
  }
  return m;
}

t.test('endpoint totals equal a per-packet count, MACs changing mid-conversation', async (t) => {
  const pkts: Pkt[] = [];
  // Seeded choice of sender, size and router MAC, so some conversations switch MACs often.
  let x = 7;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (let i = 0; i < 400; i++) {
    const conv = Math.floor(rand() * 5);
    const fromA = rand() < 0.5;
    const a = `198.18.1.${conv + 1}`;
    const b = '198.18.2.1';
    const srcMac = fromA ? mac(conv + 1) : mac(0x80 + Math.floor(rand() * 3));
    const dstMac = fromA ? mac(0x90 + Math.floor(rand() * 2)) : mac(conv + 1);
    const payload = Buffer.alloc(Math.floor(rand() * 50));
    const l4 = conv % 2 === 0 ? udp(1000 + conv, 53, payload) : tcp(2000 + conv, 80, TCP_FLAGS.ACK, { payload });
    const ip = ipv4(conv % 2 === 0 ? 17 : 6, fromA ? a : b, fromA ? b : a, l4);
    pkts.push({ frame: ethernet(0x0800, ip, dstMac, srcMac), srcMac, dstMac, src: fromA ? a : b, dst: fromA ? b : a });
  }
  const r = run(pkts);
  const want = reference(pkts);
  t.equal(r.endpoints.length, want.size);
  for (const e of r.endpoints) {
    const w = want.get(e.addr);
    t.same([e.tx.packets, e.tx.bytes, e.rx.packets, e.rx.bytes], w ? [...w.tx, ...w.rx] : null, e.addr);
  }
});

t.test('endpoint totals taken again after more packets follow MAC changes and new conversations', async (t) => {
  // totals() keeps each conversation's endpoint ids between calls (the dashboard calls it every
  // second): the second call must see the MACs that changed and the conversations that came since.
  const pkts: Pkt[] = [];
  let x = 11;
  const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / 16777216;
  for (let i = 0; i < 600; i++) {
    const conv = Math.floor(rand() * (i < 300 ? 4 : 8));
    const fromA = rand() < 0.5;
    const a = `198.18.1.${conv + 1}`;
    const b = '198.18.2.1';
    const router = i < 300 ? 0x80 : 0x80 + Math.floor(rand() * 3);
    const srcMac = fromA ? mac(conv + 1) : mac(router);
    const dstMac = fromA ? mac(router) : mac(conv + 1);
    const ip = ipv4(17, fromA ? a : b, fromA ? b : a, udp(1000 + conv, 53, Buffer.alloc(Math.floor(rand() * 50))));
    pkts.push({ frame: ethernet(0x0800, ip, dstMac, srcMac), srcMac, dstMac, src: fromA ? a : b, dst: fromA ? b : a });
  }
  const stats = new WireStats();
  const s = new PacketSummary();
  const rec = new CaptureRecord();
  const feed = (ps: Pkt[]) => {
    for (const p of ps) {
      rec.buf = p.frame;
      rec.offset = 0;
      rec.caplen = rec.wirelen = p.frame.length;
      rec.linktype = 1;
      decodePacket(rec, s);
      stats.ingest(s);
    }
  };
  const src = { name: 'x', format: 'pcap' as const, linktypes: [1], errors: [], errorsNotListed: 0 };
  for (const [from, to] of [[0, 300], [300, 450], [450, 600]] as const) {
    feed(pkts.slice(from, to));
    stats.endpoints.totals(stats.conversations);
    const r = buildReport(stats, src);
    const want = reference(pkts.slice(0, to));
    t.equal(r.endpoints.length, want.size, `after ${to} packets: endpoints`);
    for (const e of r.endpoints) {
      const w = want.get(e.addr);
      t.same([e.tx.packets, e.tx.bytes, e.rx.packets, e.rx.bytes], w ? [...w.tx, ...w.rx] : null, `after ${to}: ${e.addr}`);
    }
  }
});

for (const whenFull of ['refuse', 'evict'] as const)
t.test(`a full conversation table (${whenFull}) drops conversations, never their packets`, async (t) => {
  const pkts: Pkt[] = [];
  for (let i = 0; i < 5; i++) {
    const src = `198.18.0.${i + 1}`;
    const frame = ethernet(0x0800, ipv4(17, src, '198.18.0.100', udp(5000, 53, Buffer.alloc(10))), mac(0x10), mac(i + 1));
    // Two packets per conversation.
    for (let k = 0; k < 2; k++) pkts.push({ frame, srcMac: mac(i + 1), dstMac: mac(0x10), src, dst: '198.18.0.100' });
  }
  const r = run(pkts, { capacity: 2, whenFull });
  t.equal(r.conversations_total, 2);
  // Refusing: the two first conversations stay, the others' 6 packets are turned away (no time
  // passes, so none expires). Evicting: each new conversation takes the place of the oldest.
  t.match(r.flow_table, { capacity: 2, active: 2, ...(whenFull === 'refuse' ? { evicted: 0, refused: 6 } : { evicted: 3, refused: 0 }) });
  t.equal(r.source.packets, 10, 'every packet is in the totals');
  const server = r.endpoints.find((e) => e.addr === '198.18.0.100');
  t.same(server?.rx, { packets: 10, bytes: 10 * pkts[0]!.frame.length }, 'refused packets still count for their endpoints');
  const want = reference(pkts);
  for (const e of r.endpoints) {
    const w = want.get(e.addr)!;
    t.same([e.tx.packets, e.rx.packets], [w.tx[0], w.rx[0]], e.addr);
  }
});
