/**
 * Hand-built DashboardViews for the screen tests. Typed against src/stats/dashboard-view.ts, so
 * a change of the view's shape breaks here first. Addresses are documentation ranges only
 * (198.18.0.0/15, 192.0.2.0/24, 203.0.113.0/24, 2001:db8::/32).
 *
 *  - busy(): a live capture: IPv4, IPv6, ICMP, ICMPv6, UDP, fragments, GRE, TCP in every
 *    state, local and remote flows, 40 rows (more than a screen), sockets matched and not,
 *    hostile process names (ESC sequences, BEL, bidi override, C1 CSI, very long, wide CJK,
 *    emoji, combining marks, braces that would be blessed tags); every flow labelled (local ones
 *    explained, two SYNs to this host's closed ports unexplained, the rest third-party) and the
 *    comparison counted from them (localOf);
 *  - empty(): live, before the first packet;
 *  - replayPaused(): a replay paused at 4× speed, without a host snapshot;
 *  - liveLoss(): live with NIC drops and an estimated capture loss;
 *  - liveFiltered(): live behind a capture filter (loss not estimated), not promiscuous;
 *  - replayFinished(): a replay at full speed that has read the whole file;
 *  - huge(n): n conversations and n endpoints (the render-cost test).
 */
import type { DashboardView, LabelFilter, Rates, ViewConversation, ViewEndpoint, ViewLocal, ViewProtocol, ViewSocket } from '../../src/stats/dashboard-view.js';

/** 2026-11-26 12:00:00 UTC */
export const T0 = 1795694400;

export function rates(pps: number, bps: number): Rates {
  return { pps: [pps, pps * 0.8, pps * 0.5], bps: [bps, bps * 0.8, bps * 0.5] };
}

const ZERO = rates(0, 0);

function conv(
  id: number,
  proto: string,
  a: string,
  b: string,
  pkts: [number, number],
  bytes: [number, number],
  more: Partial<ViewConversation> = {},
): ViewConversation {
  return {
    id,
    proto,
    a,
    b,
    aToB: { packets: pkts[0], bytes: bytes[0] },
    bToA: { packets: pkts[1], bytes: bytes[1] },
    rates: ZERO,
    firstTs: T0 + 1,
    lastTs: T0 + 60,
    state: null,
    history: null,
    local: false,
    owner: null,
    label: more.local === true ? 'explained' : 'third-party',
    ...more,
  };
}

/** ESC sequences that would clear the screen and retitle the window, BEL, a bidi override. */
export const HOSTILE_OWNER = '666/\x1b[2J\x1b]0;pwned\x07evil\u202egnp.exe';
export const LONG_OWNER = `31337/${'a-very-long-program-name-'.repeat(6)}end`;

function busyConversations(): ViewConversation[] {
  const c: ViewConversation[] = [
    conv(1, 'tcp', '198.18.0.10:51234', '203.0.113.5:443', [48210, 91544], [3605120, 131530000], {
      rates: rates(1530, 2_210_000),
      state: 'S1',
      history: 'ShADad',
      local: true,
      owner: '2211/curl',
      firstTs: T0 + 0.25,
      lastTs: T0 + 299.75,
    }),
    conv(2, 'tcp', '[2001:db8::10]:40022', '[2001:db8:ffff::443]:443', [12040, 20110], [1210400, 28120000], {
      rates: rates(410, 530_000),
      state: 'SF',
      history: 'ShADadFf',
      local: true,
      owner: '3301/firefox-esr',
      firstTs: T0 + 12,
      lastTs: T0 + 290.5,
    }),
    conv(3, 'udp', '198.18.0.10:53124', '198.18.0.1:53', [2210, 2210], [181220, 402300], {
      rates: rates(14, 2600),
      local: true,
      owner: '410/systemd-resolve',
    }),
    conv(4, 'icmp', '198.18.0.20', '198.18.0.30', [300, 300], [29400, 29400], { rates: rates(1, 98) }),
    conv(5, 'icmpv6', '2001:db8::20', '2001:db8::30', [120, 118], [10320, 10148], { rates: rates(0.5, 43) }),
    // SYNs to this host's closed ports: its address, no socket.
    conv(6, 'tcp', '198.18.0.40:44410', '198.18.0.10:22', [3, 0], [222, 0], { state: 'S0', history: 'S', label: 'unexplained' }),
    conv(7, 'tcp', '198.18.0.40:44412', '198.18.0.10:23', [1, 1], [74, 54], { state: 'REJ', history: 'Sr', label: 'unexplained' }),
    conv(8, 'tcp', '198.18.0.42:80', '198.18.0.43:38000', [900, 1200], [1_100_000, 80_000], { state: 'OTH', history: 'Dd', rates: rates(20, 15000) }),
    conv(9, 'tcp', '198.18.0.44:51000', '198.18.0.45:443', [40, 30], [9000, 40000], { state: 'RSTO', history: 'ShADadR' }),
    conv(10, 'udp', '198.18.0.50:5353', '224.0.0.251:5353', [80, 0], [16000, 0], { rates: rates(0.3, 60) }),
    conv(11, 'fragment', '198.18.0.60', '198.18.0.61', [12, 0], [17760, 0]),
    conv(12, 'gre', '198.18.0.70', '198.18.0.71', [500, 500], [600000, 600000], { rates: rates(8, 9600) }),
    conv(13, 'tcp', '[2001:db8:1234:5678:9abc:def0:1234:5678]:65535', '[2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:8443', [10, 9], [1500, 9000], {
      state: 'S1',
      history: 'ShAD',
      local: true,
      owner: LONG_OWNER,
    }),
    conv(14, 'tcp', '198.18.0.66:6666', '192.0.2.66:31337', [66, 66], [6666, 66666], {
      state: 'S1',
      history: 'ShADad',
      local: true,
      owner: HOSTILE_OWNER,
    }),
    conv(15, 'ip-proto-132', '198.18.0.80', '198.18.0.81', [5, 5], [600, 600]),
  ];
  // Ordinary web flows, to fill more than one screen.
  for (let i = 0; i < 25; i++) {
    c.push(
      conv(100 + i, 'tcp', `198.18.1.${10 + i}:${40000 + i * 7}`, `203.0.113.${100 + (i % 7)}:${i % 2 ? 80 : 443}`, [100 + i, 90 + i], [50_000 - i * 1000, 400_000 - i * 9000], {
        state: i % 5 === 0 ? 'SF' : 'S1',
        history: i % 5 === 0 ? 'ShADadFf' : 'ShADad',
        lastTs: T0 + 200 + i,
        rates: rates(i % 3, (i % 4) * 1000),
      }),
    );
  }
  return sortBy(c, 'bytes');
}

function ep(addr: string, tx: [number, number], rx: [number, number], r: Rates = ZERO): ViewEndpoint {
  return { addr, tx: { packets: tx[0], bytes: tx[1] }, rx: { packets: rx[0], bytes: rx[1] }, rates: r };
}

function busyEndpoints(): ViewEndpoint[] {
  const e = [
    ep('203.0.113.5', [91544, 131530000], [48210, 3605120], rates(1000, 1_500_000)),
    ep('198.18.0.10', [62460, 4996740], [113864, 159652300], rates(1940, 2_740_000)),
    ep('2001:db8:ffff::443', [20110, 28120000], [12040, 1210400], rates(300, 400_000)),
    ep('2001:db8::10', [12040, 1210400], [20110, 28120000], rates(300, 400_000)),
    ep('198.18.0.42', [900, 1_100_000], [1200, 80000]),
    ep('198.18.0.70', [500, 600000], [500, 600000]),
    ep('198.18.0.1', [2210, 402300], [2210, 181220]),
    ep('02:00:00:00:00:01', [70000, 140000000], [60000, 6000000]),
    ep('198.18.0.20', [300, 29400], [300, 29400]),
    ep('2001:db8::20', [120, 10320], [118, 10148]),
    ep('2001:db8:1234:5678:9abc:def0:1234:5678', [10, 1500], [9, 9000]),
  ];
  for (let i = 0; i < 14; i++) e.push(ep(`198.18.1.${10 + i}`, [100 + i, 50000], [90, 400000]));
  return e;
}

function busyProtocols(): ViewProtocol[] {
  return [
    { name: 'ethernet', packets: 178_811, bytes: 166_129_710 },
    { name: 'ipv4', packets: 146_141, bytes: 136_709_000 },
    { name: 'ipv6', packets: 32_388, bytes: 29_350_000 },
    { name: 'tcp', packets: 174_820, bytes: 165_100_000 },
    { name: 'udp', packets: 4_500, bytes: 600_000 },
    { name: 'icmp', packets: 600, bytes: 58_800 },
    { name: 'icmpv6', packets: 238, bytes: 20_468 },
    { name: 'arp', packets: 42, bytes: 2_520 },
    { name: 'vlan', packets: 1_000, bytes: 1_200_000 },
    { name: 'fragment', packets: 12, bytes: 17_760 },
    { name: 'malformed', packets: 3, bytes: 180 },
  ];
}

function busySockets(): ViewSocket[] {
  return [
    { proto: 'tcp', local: '0.0.0.0:22', remote: '0.0.0.0:*', state: 'LISTEN', owner: '801/sshd', wireBytes: null },
    { proto: 'tcp', local: '198.18.0.10:51234', remote: '203.0.113.5:443', state: 'ESTABLISHED', owner: '2211/curl', wireBytes: 135135120 },
    { proto: 'tcp6', local: '[2001:db8::10]:40022', remote: '[2001:db8:ffff::443]:443', state: 'TIME_WAIT', owner: '-', wireBytes: 29330400 },
    { proto: 'udp', local: '198.18.0.10:53124', remote: '198.18.0.1:53', state: 'ESTABLISHED', owner: '410/systemd-resolve', wireBytes: 583520 },
    { proto: 'tcp', local: '198.18.0.66:6666', remote: '192.0.2.66:31337', state: 'ESTABLISHED', owner: HOSTILE_OWNER, wireBytes: 73332 },
    {
      proto: 'tcp6',
      local: '[2001:db8:1234:5678:9abc:def0:1234:5678]:65535',
      remote: '[2001:db8:ffff:ffff:ffff:ffff:ffff:fffe]:8443',
      state: 'ESTABLISHED',
      owner: LONG_OWNER,
      wireBytes: 10500,
    },
    { proto: 'tcp', local: '127.0.0.1:631', remote: '0.0.0.0:*', state: 'LISTEN', owner: '900/cupsd', wireBytes: null },
    { proto: 'udp', local: '0.0.0.0:68', remote: '0.0.0.0:*', state: '', owner: '390/dhclient', wireBytes: null },
    { proto: 'tcp', local: '198.18.0.10:8080', remote: '0.0.0.0:*', state: 'LISTEN', owner: '1000/{red-fg}node{/red-fg}', wireBytes: null },
    { proto: 'tcp', local: '198.18.0.10:8081', remote: '0.0.0.0:*', state: 'LISTEN', owner: '1001/中文程序', wireBytes: null },
    { proto: 'tcp', local: '198.18.0.10:8082', remote: '0.0.0.0:*', state: 'LISTEN', owner: '1002/rocket\u{1f680}x\u0301\u200b\u00a0\u009b2J', wireBytes: null },
  ];
}

/** The comparison as the dashboard counts it (local-labels.ts), from the rows' labels. */
export function localOf(rows: readonly ViewConversation[], wire: { packets: number; bytes: number }, quietSockets: number): ViewLocal {
  const count = (label: ViewConversation['label']) => {
    const of = rows.filter((c) => c.label === label);
    return {
      conversations: of.length,
      packets: of.reduce((n, c) => n + c.aToB.packets + c.bToA.packets, 0),
      bytes: of.reduce((n, c) => n + c.aToB.bytes + c.bToA.bytes, 0),
    };
  };
  const explained = count('explained');
  const unexplained = count('unexplained');
  const host = { packets: explained.packets + unexplained.packets, bytes: explained.bytes + unexplained.bytes };
  const ratio = (x: number, of: number) => (of > 0 ? x / of : null);
  return {
    wire,
    host,
    explained,
    unexplained,
    thirdParty: count('third-party'),
    share: {
      hostPackets: ratio(host.packets, wire.packets),
      hostBytes: ratio(host.bytes, wire.bytes),
      explainedPackets: ratio(explained.packets, wire.packets),
      explainedBytes: ratio(explained.bytes, wire.bytes),
      explainedOfHostPackets: ratio(explained.packets, host.packets),
      explainedOfHostBytes: ratio(explained.bytes, host.bytes),
    },
    quietSockets,
  };
}

/** Whether a row passes a label filter, as the dashboard's selection decides it. */
export function hasLabel(c: ViewConversation, f: LabelFilter | null): boolean {
  return f === null || (f === 'host' ? c.label === 'explained' || c.label === 'unexplained' : c.label === f);
}

function wave(n: number, base: number, amp: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.round(base + amp * Math.sin(i / 9) + (i % 17 === 0 ? amp : 0)));
}

export function busy(): DashboardView {
  const conversations = busyConversations();
  return {
    time: T0 + 300,
    source: { kind: 'live', name: 'span0', linktype: 'EN10MB', promiscuous: true, filter: null, speed: null, paused: false, finished: false },
    totals: {
      packets: 178_811,
      bytes: 166_129_710,
      rates: rates(1960, 2_780_000),
      elapsed: 299.75,
      nicReceived: 178_811,
      nicDropped: 0,
      exportDropped: null,
      lost: 0,
    },
    sort: 'bytes',
    conversations,
    conversationsTotal: conversations.length,
    flowTable: { capacity: 1_000_000, evicted: 0, refused: 0 },
    flowFilter: null,
    labelFilter: null,
    endpoints: busyEndpoints(),
    protocols: busyProtocols(),
    history: { pps: wave(300, 1500, 700), bps: wave(300, 20_000_000, 9_000_000) },
    sockets: busySockets(),
    // One established socket (the firefox TIME_WAIT aside) whose flow is not on the wire.
    local: localOf(conversations, { packets: 178_811, bytes: 166_129_710 }, 1),
  };
}

export function empty(): DashboardView {
  return {
    time: T0,
    source: { kind: 'live', name: 'eth0', linktype: 'EN10MB', promiscuous: true, filter: null, speed: null, paused: false, finished: false },
    totals: { packets: 0, bytes: 0, rates: ZERO, elapsed: 0, nicReceived: 0, nicDropped: 0, lost: 0, exportDropped: null },
    sort: 'bytes',
    conversations: [],
    conversationsTotal: 0,
    flowTable: { capacity: 1_000_000, evicted: 0, refused: 0 },
    flowFilter: null,
    labelFilter: null,
    endpoints: [],
    protocols: [],
    history: { pps: [], bps: [] },
    sockets: [],
    local: localOf([], { packets: 0, bytes: 0 }, 0),
  };
}

export function replayPaused(): DashboardView {
  const v = busy();
  return {
    ...v,
    time: T0 + 42.5,
    source: { kind: 'replay', name: 'captures/office-\x1b[31mred\x1b[0m.pcapng', linktype: 'EN10MB', promiscuous: null, filter: 'tcp or udp', speed: 4, paused: true, finished: false },
    totals: { ...v.totals, elapsed: 42.5, nicReceived: null, nicDropped: null, lost: null },
    conversations: v.conversations.slice(0, 12),
    conversationsTotal: 12,
    history: { pps: v.history.pps.slice(0, 42), bps: v.history.bps.slice(0, 42) },
    sockets: null,
    local: null,
  };
}

export function liveLoss(): DashboardView {
  const v = busy();
  return {
    ...v,
    source: { ...v.source, name: 'eth1' },
    totals: { ...v.totals, packets: 1_245_433, nicReceived: 1_250_000, nicDropped: 120, lost: 4_567 },
  };
}

export function liveFiltered(): DashboardView {
  const v = busy();
  return {
    ...v,
    source: { ...v.source, name: 'eth2', promiscuous: false, filter: 'tcp port 443 or udp port 53' },
    totals: { ...v.totals, nicReceived: 250_000, nicDropped: 0, lost: null },
  };
}

/** A flood filled the flow table: conversations evicted, and (refusing) packets turned away. */
export function liveFull(): DashboardView {
  const v = liveLoss();
  return { ...v, conversationsTotal: 1_000_000, flowTable: { capacity: 1_000_000, evicted: 8_937_500, refused: 62_500 } };
}

/** Exporting flows to a collector that fell behind: messages dropped. */
export function liveExportDropped(): DashboardView {
  const v = liveFiltered();
  return { ...v, totals: { ...v.totals, exportDropped: 1_234 } };
}

export function replayFinished(): DashboardView {
  const v = replayPaused();
  return { ...v, source: { ...v.source, name: 'demo.pcap', filter: null, speed: 'max', paused: false, finished: true } };
}

export function huge(n: number): DashboardView {
  const v = busy();
  const conversations: ViewConversation[] = [];
  const endpoints: ViewEndpoint[] = [];
  for (let i = 0; i < n; i++) {
    const o3 = (i >> 8) & 0xff;
    const o4 = i & 0xff;
    conversations.push(conv(i + 1, 'udp', `198.18.${o3}.${o4}:${1024 + (i % 60000)}`, `198.19.${o4}.${o3}:53`, [n - i, 1], [(n - i) * 100, 100]));
    endpoints.push(ep(`198.18.${o3}.${o4}`, [n - i, (n - i) * 100], [1, 100]));
  }
  return { ...v, conversations, conversationsTotal: n, endpoints };
}

export type Sort = DashboardView['sort'];

/** The order the owner gives (the screen never sorts). Ties by id, so the order is total. */
export function sortBy(rows: readonly ViewConversation[], sort: Sort): ViewConversation[] {
  const key = (c: ViewConversation): number => {
    switch (sort) {
      case 'bytes':
        return c.aToB.bytes + c.bToA.bytes;
      case 'packets':
        return c.aToB.packets + c.bToA.packets;
      case 'rate':
        return c.rates.bps[0];
      case 'recent':
        return c.lastTs ?? -Infinity;
    }
  };
  return [...rows].sort((x, y) => key(y) - key(x) || x.id - y.id);
}
