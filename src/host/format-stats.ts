/**
 * `netstat -s` text as net-tools 2.10 prints it (statistics.c), line for line:
 *  - known counters print with net-tools' sentence; unknown ones as "Name: value", only when
 *    non-zero; "opt" counters only when non-zero; static settings (Forwarding, DefaultTTL,
 *    RtoAlgorithm) never (print_static is never set);
 *  - the ICMP histogram counters print a title ("ICMP input histogram:") on entering the
 *    histogram, then only their non-zero values, indented 8;
 *  - unknown counters take the indent of the state the previous known counter left (so
 *    IcmpMsg lines after Icmp's output histogram are indented 8), and a section net-tools has no
 *    table for is printed whatever -t/-u/-w ask (f_unknown is always 1).
 * The lookup emulates glibc bsearch over net-tools' tables in their source order, which are
 * not all sorted: some known counters are missed by the search and print as unknown, as
 * netstat prints them.
 */
import type { SnmpFile } from './snmp.js';
import { snmp6Section } from './snmp.js';

/** Which counters -s shows: netstat's f_raw (-w), f_tcp (-t), f_udp (-u), f_sctp (-S). */
export interface StatsSelection {
  raw: boolean;
  tcp: boolean;
  udp: boolean;
  sctp: boolean;
}

/**
 * netstat.c: with -s and none of -t -S -u -U -w, all are set. -U sets none of these four
 * (udplite is not a statistics.c flag), so `-s -U` prints only the sections without a table.
 */
export function statsSelection(f: { tcp: boolean; udp: boolean; udplite: boolean; raw: boolean; sctp?: boolean }): StatsSelection {
  const any = f.tcp || f.udp || f.udplite || f.raw || !!f.sctp;
  if (!any) return { raw: true, tcp: true, udp: true, sctp: true };
  return { raw: f.raw, tcp: f.tcp, udp: f.udp, sctp: !!f.sctp };
}

const enum Kind {
  Number = 0,
  Opt = 1,
  Forward = 2,
  InIcmp = 3,
  OutIcmp = 4,
  RtoAlg = 5,
}
/** statistics.c: indent per state, and the title the histogram states print on entry. */
const INDENT = [4, 4, 4, 8, 8, 0];
const TITLE: Record<number, string> = { [Kind.InIcmp]: 'ICMP input histogram:', [Kind.OutIcmp]: 'ICMP output histogram:' };

interface Entry {
  key: string;
  /** Sentence with %llu (or %s) where the value goes; '' for counters never printed. */
  text: string;
  kind: Kind;
  isStatic?: boolean;
  titled?: boolean;
}

const n = (key: string, text: string): Entry => ({ key, text, kind: Kind.Number });
const o = (key: string, text: string): Entry => ({ key, text, kind: Kind.Opt });
const hin = (key: string, text: string): Entry => ({ key, text, kind: Kind.InIcmp, titled: true });
const hout = (key: string, text: string): Entry => ({ key, text, kind: Kind.OutIcmp, titled: true });

// The tables below hold net-tools' texts in net-tools' order (order matters: see bsearch).
const IP: Entry[] = [
  { key: 'DefaultTTL', text: 'Default TTL is %llu', kind: Kind.Number, isStatic: true },
  { key: 'Forwarding', text: 'Forwarding is %s', kind: Kind.Forward, isStatic: true },
  n('ForwDatagrams', '%llu forwarded'),
  o('FragCreates', '%llu fragments created'),
  o('FragFails', '%llu outgoing packets failed fragmentation'),
  o('FragOKs', '%llu outgoing packets fragmented ok'),
  o('InAddrErrors', '%llu with invalid addresses'),
  n('InDelivers', '%llu incoming packets delivered'),
  n('InDiscards', '%llu incoming packets discarded'),
  o('InHdrErrors', '%llu with invalid headers'),
  n('InReceives', '%llu total packets received'),
  o('InUnknownProtos', '%llu with unknown protocol'),
  o('OutDiscards', '%llu outgoing packets dropped'),
  o('OutNoRoutes', '%llu dropped because of missing route'),
  n('OutRequests', '%llu requests sent out'),
  o('ReasmFails', '%llu packet reassemblies failed'),
  o('ReasmOKs', '%llu packets reassembled ok'),
  o('ReasmReqds', '%llu reassemblies required'),
  o('ReasmTimeout', '%llu fragments dropped after timeout'),
];

const IP6: Entry[] = [
  o('Ip6FragCreates', '%llu fragments created'),
  o('Ip6FragFails', '%llu outgoing packets failed fragmentation'),
  o('Ip6FragOKs', '%llu outgoing packets fragmented ok'),
  o('Ip6InAddrErrors', '%llu with invalid addresses'),
  n('Ip6InDelivers', '%llu incoming packets delivered'),
  n('Ip6InDiscards', '%llu incoming packets discarded'),
  o('Ip6InHdrErrors', '%llu with invalid headers'),
  o('Ip6InMcastPkts', '%llu incoming multicast packets'),
  o('Ip6InNoRoutes', '%llu incoming packets with no route'),
  n('Ip6InReceives', '%llu total packets received'),
  o('Ip6InTooBigErrors', '%llu with packets too big'),
  o('Ip6InTruncatedPkts', '%llu with truncated packets'),
  o('Ip6InUnknownProtos', '%llu with unknown protocol'),
  o('Ip6OutDiscards', '%llu outgoing packets dropped'),
  n('Ip6OutForwDatagrams', '%llu forwarded'),
  o('Ip6OutMcastPkts', '%llu outgoing multicast packets'),
  o('Ip6OutNoRoutes', '%llu dropped because of missing route'),
  n('Ip6OutRequests', '%llu requests sent out'),
  o('Ip6ReasmFails', '%llu packet reassemblies failed'),
  o('Ip6ReasmOKs', '%llu packets reassembled ok'),
  o('Ip6ReasmReqds', '%llu reassemblies required'),
  o('Ip6ReasmTimeout', '%llu fragments dropped after timeout'),
];

const ICMP: Entry[] = [
  hin('InAddrMaskReps', 'address mask replies: %llu'),
  hin('InAddrMasks', 'address mask request: %llu'),
  hin('InDestUnreachs', 'destination unreachable: %llu'),
  hin('InEchoReps', 'echo replies: %llu'),
  hin('InEchos', 'echo requests: %llu'),
  n('InErrors', '%llu input ICMP message failed'),
  n('InMsgs', '%llu ICMP messages received'),
  hin('InParmProbs', 'wrong parameters: %llu'),
  hin('InRedirects', 'redirects: %llu'),
  hin('InSrcQuenchs', 'source quenches: %llu'),
  hin('InTimeExcds', 'timeout in transit: %llu'),
  hin('InTimestampReps', 'timestamp reply: %llu'),
  hin('InTimestamps', 'timestamp request: %llu'),
  hout('OutAddrMaskReps', 'address mask replies: %llu'),
  hout('OutAddrMasks', 'address mask requests: %llu'),
  hout('OutDestUnreachs', 'destination unreachable: %llu'),
  hout('OutEchoReps', 'echo replies: %llu'),
  hout('OutEchos', 'echo requests: %llu'),
  n('OutErrors', '%llu ICMP messages failed'),
  n('OutMsgs', '%llu ICMP messages sent'),
  hout('OutParmProbs', 'wrong parameters: %llu'),
  hout('OutRedirects', 'redirect: %llu'),
  hout('OutSrcQuenchs', 'source quench: %llu'),
  hout('OutTimeExcds', 'time exceeded: %llu'),
  hout('OutTimestampReps', 'timestamp replies: %llu'),
  hout('OutTimestamps', 'timestamp requests: %llu'),
];

const ICMP6: Entry[] = [
  hin('Icmp6InDestUnreachs', 'destination unreachable: %llu'),
  hin('Icmp6InEchoReplies', 'echo replies: %llu'),
  hin('Icmp6InEchos', 'echo requests: %llu'),
  n('Icmp6InErrors', '%llu input ICMP message failed'),
  hin('Icmp6InGroupMembQueries', 'group member queries: %llu'),
  hin('Icmp6InGroupMembReductions', 'group member reductions: %llu'),
  hin('Icmp6InGroupMembResponses', 'group member responses: %llu'),
  n('Icmp6InMsgs', '%llu ICMP messages received'),
  hin('Icmp6InNeighborAdvertisements', 'neighbour advertisement: %llu'),
  hin('Icmp6InNeighborSolicits', 'neighbour solicits: %llu'),
  hin('Icmp6InParmProblems', 'parameter problem: %llu'),
  hin('Icmp6InPktTooBigs', 'packets too big: %llu'),
  hin('Icmp6InRedirects', 'redirects: %llu'),
  hin('Icmp6InRouterAdvertisements', 'router advertisement: %llu'),
  hin('Icmp6InRouterSolicits', 'router solicits: %llu'),
  hin('Icmp6InTimeExcds', 'received ICMPv6 time exceeded: %llu'),
  hout('Icmp6OutDestUnreachs', 'destination unreachable: %llu'),
  hout('Icmp6OutEchoReplies', 'echo replies: %llu'),
  hout('Icmp6OutEchos', 'echo requests: %llu'),
  hout('Icmp6OutGroupMembQueries', 'group member queries: %llu'),
  hout('Icmp6OutGroupMembReductions', 'group member reductions: %llu'),
  hout('Icmp6OutGroupMembResponses', 'group member responses: %llu'),
  n('Icmp6OutMsgs', '%llu ICMP messages sent'),
  hout('Icmp6OutNeighborAdvertisements', 'neighbor advertisements: %llu'),
  hout('Icmp6OutNeighborSolicits', 'neighbor solicits: %llu'),
  hout('Icmp6OutParmProblems', 'parameter problem: %llu'),
  hout('Icmp6OutPktTooBigs', 'packets too big: %llu'),
  hout('Icmp6OutRedirects', 'redirects: %llu'),
  // The key carries a trailing space in net-tools 2.10, so the kernel's name never matches it
  // and the counter prints as unknown ("Icmp6OutRouterAdvertisements: N").
  hout('Icmp6OutRouterAdvertisements ', 'router advertisement: %llu'),
  hout('Icmp6OutRouterSolicits', 'router solicits: %llu'),
  hout('Icmp6OutTimeExcds', 'sent ICMPv6 time exceeded: %llu'),
];

const TCP: Entry[] = [
  n('ActiveOpens', '%llu active connection openings'),
  n('AttemptFails', '%llu failed connection attempts'),
  n('CurrEstab', '%llu connections established'),
  n('EstabResets', '%llu connection resets received'),
  n('InErrs', '%llu bad segments received'),
  n('InSegs', '%llu segments received'),
  n('MaxConn', ''),
  n('OutRsts', '%llu resets sent'),
  n('OutSegs', '%llu segments sent out'),
  n('PassiveOpens', '%llu passive connection openings'),
  n('RetransSegs', '%llu segments retransmitted'),
  { key: 'RtoAlgorithm', text: 'RTO algorithm is %s', kind: Kind.RtoAlg, isStatic: true },
  n('RtoMax', ''),
  n('RtoMin', ''),
];

const UDP: Entry[] = [
  n('InDatagrams', '%llu packets received'),
  n('InErrors', '%llu packet receive errors'),
  n('NoPorts', '%llu packets to unknown port received'),
  n('OutDatagrams', '%llu packets sent'),
  n('RcvbufErrors', '%llu receive buffer errors'),
  n('SndbufErrors', '%llu send buffer errors'),
];

const UDP6: Entry[] = [
  n('Udp6InDatagrams', '%llu packets received'),
  n('Udp6InErrors', '%llu packet receive errors'),
  n('Udp6NoPorts', '%llu packets to unknown port received'),
  n('Udp6OutDatagrams', '%llu packets sent'),
];

const TCPEXT: Entry[] = [
  o('DelayedACKLocked', '%llu delayed acks further delayed because of locked socket'),
  o('DelayedACKLost', 'Quick ack mode was activated %llu times'),
  o('DelayedACKs', '%llu delayed acks sent'),
  o('EmbryonicRsts', '%llu resets received for embryonic SYN_RECV sockets'),
  o('ListenDrops', '%llu SYNs to LISTEN sockets dropped'),
  o('ListenOverflows', '%llu times the listen queue of a socket overflowed'),
  o('LockDroppedIcmps', '%llu ICMP packets dropped because socket was locked'),
  o('OfoPruned', '%llu packets dropped from out-of-order queue because of socket buffer overrun'),
  o('OutOfWindowIcmps', '%llu ICMP packets dropped because they were out-of-window'),
  o('PAWSActive', '%llu active connections rejected because of time stamp'),
  o('PAWSEstab', '%llu packets rejected in established connections because of timestamp'),
  o('PAWSPassive', '%llu passive connections rejected because of time stamp'),
  o('PruneCalled', '%llu packets pruned from receive queue because of socket buffer overrun'),
  o('RcvPruned', '%llu packets pruned from receive queue'),
  o('SockMallocOOM', 'Ran %llu times out of system memory during packet sending'),
  o('SyncookiesFailed', '%llu invalid SYN cookies received'),
  o('SyncookiesRecv', '%llu SYN cookies received'),
  o('SyncookiesSent', '%llu SYN cookies sent'),
  o('TCPAbortFailed', '%llu times unable to send RST due to no memory'),
  o('TCPAbortOnClose', '%llu connections reset due to early user close'),
  o('TCPAbortOnData', '%llu connections reset due to unexpected data'),
  o('TCPAbortOnLinger', '%llu connections aborted after user close in linger timeout'),
  o('TCPAbortOnMemory', '%llu connections aborted due to memory pressure'),
  o('TCPAbortOnSyn', '%llu connections reset due to unexpected SYN'),
  o('TCPAbortOnTimeout', '%llu connections aborted due to timeout'),
  o('TCPDirectCopyFromBacklog', '%llu bytes directly in process context from backlog'),
  o('TCPDirectCopyFromPrequeue', '%llu bytes directly received in process context from prequeue'),
  o('TCPDSACKOfoRecv', '%llu DSACKs for out of order packets received'),
  o('TCPDSACKOfoSent', '%llu DSACKs sent for out of order packets'),
  o('TCPDSACKOldSent', '%llu DSACKs sent for old packets'),
  o('TCPDSACKRecv', '%llu DSACKs received'),
  o('TCPDSackUndo', '%llu congestion window recovered without slow start using DSACK'),
  o('TCPDSACKUndo', '%llu congestion windows recovered without slow start by DSACK'),
  o('TCPFACKReorder', 'Detected reordering %llu times using FACK'),
  o('TCPFastRetrans', '%llu fast retransmits'),
  o('TCPForwardRetrans', '%llu forward retransmits'),
  o('TCPFullUndo', '%llu congestion windows fully recovered without slow start'),
  o('TCPHPAcks', '%llu predicted acknowledgments'),
  n('TCPHPHits', '%llu packet headers predicted'),
  o('TCPHPHitsToUser', '%llu packet headers predicted and directly queued to user'),
  o('TCPLossFailures', '%llu timeouts in loss state'),
  o('TCPLoss', '%llu TCP data loss events'),
  o('TCPLossUndo', '%llu congestion windows recovered without slow start after partial ack'),
  o('TCPLostRetransmits', '%llu retransmits lost'),
  o('TCPMemoryPressures', 'TCP ran low on memory %llu times'),
  o('TCPPartialUndo', '%llu congestion windows partially recovered using Hoe heuristic'),
  o('TCPPrequeued', '%llu packets directly queued to recvmsg prequeue'),
  o('TCPPrequeueDropped', '%llu packets dropped from prequeue'),
  o('TCPPureAcks', '%llu acknowledgments not containing data payload received'),
  o('TCPRcvCollapsed', '%llu packets collapsed in receive queue due to low socket buffer'),
  o('TCPRenoFailures', '%llu timeouts after reno fast retransmit'),
  o('TCPRenoRecoveryFailed', '%llu reno fast retransmits failed'),
  o('TCPRenoRecoveryFail', '%llu classic Reno fast retransmits failed'),
  o('TCPRenoRecovery', '%llu times recovered from packet loss due to fast retransmit'),
  o('TCPRenoReorder', 'Detected reordering %llu times using reno fast retransmit'),
  o('TCPSackFailures', '%llu timeouts after SACK recovery'),
  o('TCPSackRecoveryFail', '%llu SACK retransmits failed'),
  o('TCPSackRecovery', '%llu times recovered from packet loss by selective acknowledgements'),
  o('TCPSACKReneging', '%llu bad SACK blocks received'),
  o('TCPSACKReorder', 'Detected reordering %llu times using SACK'),
  o('TCPSchedulerFailed', '%llu times receiver scheduled too late for direct processing'),
  o('TCPSlowStartRetrans', '%llu retransmits in slow start'),
  o('TCPTimeouts', '%llu other TCP timeouts'),
  o('TCPTSReorder', 'Detected reordering %llu times using time stamp'),
  o('TWKilled', '%llu TCP sockets finished time wait in slow timer'),
  o('TW', '%llu TCP sockets finished time wait in fast timer'),
  o('TWRecycled', '%llu time wait sockets recycled by time stamp'),
];

const SCTP: Entry[] = [
  n('SctpAborteds', '%llu Number of Aborteds '),
  n('SctpActiveEstabs', '%llu Active Associations'),
  n('SctpChecksumErrors', '%llu Number of Packets with invalid Checksum'),
  n('SctpCurrEstab', '%llu Current Associations'),
  n('SctpFragUsrMsgs', '%llu Number of messages fragmented'),
  n('SctpInCtrlChunks', '%llu Number of control chunks received'),
  n('SctpInOrderChunks', '%llu Number of ordered chunks received'),
  n('SctpInSCTPPacks', '%llu Number of SCTP packets received'),
  n('SctpInUnorderChunks', '%llu Number of Unordered chunks received'),
  n('SctpOutCtrlChunks', '%llu Number of control chunks sent'),
  n('SctpOutOfBlues', '%llu Number of Out of Blue packets'),
  n('SctpOutOrderChunks', '%llu Number of ordered chunks sent'),
  n('SctpOutSCTPPacks', '%llu Number of SCTP packets sent'),
  n('SctpOutUnorderChunks', '%llu Number of Unordered chunks sent'),
  n('SctpPassiveEstabs', '%llu Passive Associations'),
  n('SctpReasmUsrMsgs', '%llu Number of messages reassembled '),
  n('SctpShutdowns', '%llu Number of Graceful Terminations'),
];

type Flag = keyof StatsSelection;
interface Table {
  title: string;
  entries: Entry[] | null;
  /** null: a section net-tools has no table for (always printed). */
  flag: Flag | null;
}

const SNMP_TABLES: Table[] = [
  { title: 'Ip', entries: IP, flag: 'raw' },
  { title: 'Icmp', entries: ICMP, flag: 'raw' },
  { title: 'Tcp', entries: TCP, flag: 'tcp' },
  { title: 'Udp', entries: UDP, flag: 'udp' },
  { title: 'Sctp', entries: SCTP, flag: 'sctp' },
  { title: 'TcpExt', entries: TCPEXT, flag: 'tcp' },
];

const SNMP6_TABLES: Table[] = [
  { title: 'Ip6', entries: IP6, flag: 'raw' },
  { title: 'Icmp6', entries: ICMP6, flag: 'raw' },
  { title: 'Udp6', entries: UDP6, flag: 'udp' },
  { title: 'Tcp6', entries: TCP, flag: 'tcp' },
];

/** glibc bsearch with strcmp over `entries` exactly as laid out (sorted or not). */
function bsearch(entries: Entry[], key: string): Entry | null {
  let l = 0;
  let u = entries.length;
  while (l < u) {
    const idx = (l + u) >> 1;
    const k = entries[idx]!.key;
    if (key < k) u = idx;
    else if (key > k) l = idx + 1;
    else return entries[idx]!;
  }
  return null;
}

/** strtoull: a leading '-' negates modulo 2^64, so "-1" is 18446744073709551615. */
function strtoull(text: string): bigint {
  const neg = text.startsWith('-');
  const v = BigInt(neg ? text.slice(1) : text);
  return neg ? (1n << 64n) - v : v;
}

/** The printer: statistics.c's static `state` survives between files, as it does in netstat. */
class Printer {
  readonly out: string[] = [];
  private state = Kind.Number;

  constructor(private readonly sel: StatsSelection) {}

  /** newtable(): a known section prints its title if selected and resets the state. */
  table(tables: Table[], title: string): Table {
    const t = tables.find((x) => x.title === title);
    if (t) {
      if (this.sel[t.flag!]) this.out.push(`${title}:`);
      this.state = Kind.Number;
      return t;
    }
    this.out.push(`${title}:`);
    return { title, entries: null, flag: null };
  }

  enabled(t: Table): boolean {
    return t.flag === null || this.sel[t.flag];
  }

  value(t: Table, key: string, text: string): void {
    const val = strtoull(text);
    const ent = t.entries ? bsearch(t.entries, key) : null;
    const pad = (k: Kind): string => ' '.repeat(INDENT[k]!);
    if (!ent) {
      if (val !== 0n) this.out.push(`${pad(this.state)}${key}: ${val}`);
      return;
    }
    if (ent.isStatic || ent.text === '') return;
    let kind = ent.kind;
    if (ent.titled && this.state !== kind) this.out.push(`${pad(this.state)}${TITLE[kind]}`);
    let line = '';
    switch (kind) {
      case Kind.Opt:
        if (val !== 0n) line = ent.text.replace('%llu', String(val));
        break;
      case Kind.Number:
        line = ent.text.replace('%llu', String(val));
        break;
      case Kind.Forward:
        kind = Kind.Number;
        line = ent.text.replace('%s', val === 2n ? 'enabled' : 'disabled');
        break;
      case Kind.InIcmp:
      case Kind.OutIcmp:
        if (val > 0n) line = ent.text.replace('%llu', String(val));
        break;
      case Kind.RtoAlg:
        break;
    }
    if (line !== '') this.out.push(`${pad(kind)}${line}`);
    this.state = kind;
  }
}

function pairs(p: Printer, file: SnmpFile, only?: string): void {
  for (const s of file.sections) {
    if (only !== undefined && !s.name.startsWith(only)) continue;
    const t = p.table(SNMP_TABLES, s.name);
    if (!p.enabled(t)) continue;
    for (const [k, v] of s.counters) p.value(t, k, v);
  }
}

/**
 * `netstat -s` (IPv4, the default family): /proc/net/snmp, then /proc/net/netstat, then
 * /proc/net/sctp/snmp when present. A missing netstat or sctp file is passed as null.
 */
export function formatStats(snmp: SnmpFile, netstat: SnmpFile | null, sctp: SnmpFile | null, sel: StatsSelection): string[] {
  const p = new Printer(sel);
  pairs(p, snmp);
  if (netstat) pairs(p, netstat);
  if (sctp) {
    const t = p.table(SNMP_TABLES, 'Sctp');
    if (p.enabled(t)) for (const s of sctp.sections) for (const [k, v] of s.counters) p.value(t, k, v);
  }
  return p.out;
}

/**
 * `netstat -s -6`: /proc/net/snmp6 (a counter stays in the current section while its name
 * contains the section's title, statistics.c process6_fd), then the Tcp section of
 * /proc/net/snmp (there is no Tcp6 in the kernel).
 */
export function formatStats6(snmp6: SnmpFile, snmp: SnmpFile, sel: StatsSelection): string[] {
  const p = new Printer(sel);
  let title: string | null = null;
  let t: Table | null = null;
  for (const s of snmp6.sections) {
    for (const [k, v] of s.counters) {
      if (title === null || !k.includes(title)) {
        title = snmp6Section(k);
        t = p.table(SNMP6_TABLES, title);
      }
      if (p.enabled(t!)) p.value(t!, k, v);
    }
  }
  pairs(p, snmp, 'Tcp');
  return p.out;
}
