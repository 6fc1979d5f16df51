/**
 * TCP state and history in Zeek's vocabulary, from packet sequences whose outcome Zeek's own
 * test baselines show (see the worked examples in tcp-state.ts's sources), adjusted only where
 * wirestat's rules differ on purpose (originator = first pure SYN's sender, case by final roles).
 */
import t from 'tap';
import { CaptureRecord } from '../../src/capture/source.js';
import { decodePacket } from '../../src/decode/packet.js';
import { PacketSummary } from '../../src/decode/summary.js';
import { buildReport, type ConversationRow } from '../../src/stats/snapshot.js';
import { WireStats } from '../../src/stats/wire-stats.js';
import { ethernet, ipv4, tcp, TCP_FLAGS } from '../helpers/craft.js';

const { SYN, ACK, FIN, RST, PSH } = TCP_FLAGS;
const C = '198.18.0.10';
const S = '198.18.0.20';

/** One packet: from the client (C, port 40000) or the server (S, port 80). */
interface P {
  from: 'c' | 's';
  flags: number;
  seq?: number;
  ack?: number;
  len?: number;
  window?: number;
}

function run(packets: P[]): ConversationRow {
  const stats = new WireStats();
  const s = new PacketSummary();
  const rec = new CaptureRecord();
  let ts = 1000;
  for (const p of packets) {
    const c = p.from === 'c';
    const seg = tcp(c ? 40000 : 80, c ? 80 : 40000, p.flags, {
      seq: p.seq ?? (c ? 100 : 5000),
      ack: p.ack ?? 0,
      payload: Buffer.alloc(p.len ?? 0),
      window: p.window ?? 1000,
    });
    const frame = ethernet(0x0800, ipv4(6, c ? C : S, c ? S : C, seg));
    rec.buf = frame;
    rec.offset = 0;
    rec.caplen = rec.wirelen = frame.length;
    rec.linktype = 1;
    rec.tsSec = ts++;
    decodePacket(rec, s);
    stats.ingest(s);
  }
  const r = buildReport(stats, { name: 'x', format: 'pcap', linktypes: [1], errors: [], errorsNotListed: 0 });
  t.equal(r.conversations.length, 1);
  return r.conversations[0]!;
}

/** A normal connection's packets with consistent sequence numbers. */
const c0 = 100;
const s0 = 5000;
const handshake: P[] = [
  { from: 'c', flags: SYN, seq: c0 },
  { from: 's', flags: SYN | ACK, seq: s0, ack: c0 + 1 },
  { from: 'c', flags: ACK, seq: c0 + 1, ack: s0 + 1 },
];

const cases: [string, P[], string, string][] = [
  [
    'normal open, data both ways, FINs',
    [
      ...handshake,
      { from: 'c', flags: ACK | PSH, seq: c0 + 1, ack: s0 + 1, len: 10 },
      { from: 's', flags: ACK, seq: s0 + 1, ack: c0 + 11 },
      { from: 's', flags: ACK | PSH, seq: s0 + 1, ack: c0 + 11, len: 20 },
      { from: 'c', flags: FIN | ACK, seq: c0 + 11, ack: s0 + 21 },
      { from: 's', flags: FIN | ACK, seq: s0 + 21, ack: c0 + 12 },
      { from: 'c', flags: ACK, seq: c0 + 12, ack: s0 + 22 },
    ],
    'ShADadFf',
    'SF',
  ],
  ['rejected', [{ from: 'c', flags: SYN, seq: c0 }, { from: 's', flags: RST | ACK, seq: 0, ack: c0 + 1 }], 'Sr', 'REJ'],
  ['no answer (SYN retransmitted)', [{ from: 'c', flags: SYN, seq: c0 }, { from: 'c', flags: SYN, seq: c0 }], 'S', 'S0'],
  ['SYN, SYN-ACK only', handshake.slice(0, 2), 'Sh', 'S1'],
  ['SYN scan: SYN, SYN-ACK, RST', [...handshake.slice(0, 2), { from: 'c', flags: RST, seq: c0 + 1 }], 'ShR', 'RSTO'],
  ['SYN then RST from the originator', [{ from: 'c', flags: SYN, seq: c0 }, { from: 'c', flags: RST, seq: c0 + 1 }], 'SR', 'RSTOS0'],
  [
    'server resets after the client closes',
    [
      ...handshake,
      { from: 'c', flags: ACK | PSH, seq: c0 + 1, ack: s0 + 1, len: 10 },
      { from: 's', flags: ACK, seq: s0 + 1, ack: c0 + 11 },
      { from: 's', flags: ACK | PSH, seq: s0 + 1, ack: c0 + 11, len: 20 },
      { from: 'c', flags: FIN | ACK, seq: c0 + 11, ack: s0 + 21 },
      { from: 's', flags: RST, seq: s0 + 21 },
    ],
    'ShADadFr',
    'RSTR',
  ],
  [
    'client closes, server never does',
    [...handshake, { from: 'c', flags: ACK | PSH, seq: c0 + 1, ack: s0 + 1, len: 10 }, { from: 's', flags: ACK, seq: s0 + 1, ack: c0 + 11 }, { from: 'c', flags: FIN | ACK, seq: c0 + 11, ack: s0 + 1 }],
    'ShADaF',
    'S2',
  ],
  [
    'half-duplex: server silent',
    [{ from: 'c', flags: SYN, seq: c0 }, { from: 'c', flags: ACK, seq: c0 + 1 }, { from: 'c', flags: ACK, seq: c0 + 1, len: 5 }, { from: 'c', flags: FIN | ACK, seq: c0 + 6 }],
    'SADF',
    'SH',
  ],
  [
    'midstream: no SYN seen',
    [{ from: 'c', flags: ACK, seq: 300, len: 10 }, { from: 's', flags: ACK, seq: 900, len: 10 }, { from: 'c', flags: ACK, seq: 310 }],
    'DdA',
    'OTH',
  ],
  ['a single RST', [{ from: 'c', flags: RST, seq: 1 }], 'R', 'OTH'],
  ['data then a RST from the peer', [{ from: 'c', flags: ACK, seq: 300, len: 10 }, { from: 's', flags: RST, seq: 1 }], 'Dr', 'RSTRH'],
  [
    'retransmitted data: T once, then at the 10th',
    [
      ...handshake,
      ...Array.from({ length: 11 }, (): P => ({ from: 'c', flags: ACK | PSH, seq: c0 + 1, ack: s0 + 1, len: 10 })),
    ],
    'ShADTT',
    'S1',
  ],
  ['zero window advertised', [...handshake, { from: 's', flags: ACK, seq: s0 + 1, ack: c0 + 1, window: 0 }], 'ShAaw', 'S1'],
  ['SYN+FIN is a multi-flag packet', [{ from: 'c', flags: SYN | FIN, seq: c0 }], 'Q', 'SH'],
  ['FIN+RST is inconsistent', [{ from: 'c', flags: FIN | RST, seq: c0 }], 'I', 'OTH'],
];

for (const [what, packets, history, state] of cases) {
  t.test(what, async (t) => {
    const row = run(packets);
    t.equal(row.history, history, 'history');
    t.equal(row.state, state, 'state');
  });
}

t.test('the originator is the first pure SYN\'s sender even when the SYN-ACK came first', async (t) => {
  const row = run([
    { from: 's', flags: SYN | ACK, seq: s0, ack: c0 + 1 },
    { from: 'c', flags: SYN, seq: c0 },
    { from: 'c', flags: ACK, seq: c0 + 1, ack: s0 + 1 },
  ]);
  t.equal(row.a, `${C}:40000`);
  t.equal(row.b, `${S}:80`);
  t.equal(row.history, 'h^SA', 'the flip is marked where it happened; letters are cased by the final originator');
  t.equal(row.state, 'S1');
  t.same([row.a_to_b.packets, row.b_to_a.packets], [2, 1]);
});

t.test('without a SYN the first packet\'s sender is the originator', async (t) => {
  const row = run([{ from: 's', flags: ACK, seq: 900, len: 10 }, { from: 'c', flags: ACK, seq: 300 }]);
  t.equal(row.a, `${S}:80`);
  t.equal(row.history, 'Da');
});
