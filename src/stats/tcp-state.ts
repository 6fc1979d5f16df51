/**
 * TCP connection state and history in Zeek's conn.log vocabulary.
 *
 * Modelled on Zeek's TCP session adapter (src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc:
 * init_endpoint, update_history, update_window, update_last_seq, UpdateStateMachine) and the
 * conn_state() function of scripts/base/protocols/conn/main.zeek. Deliberate differences, because
 * a wirestat conversation is one row per 5-tuple for the whole capture:
 *  - the originator is the sender of the first pure SYN if one was seen, else of the first packet
 *    (no port heuristics, no "second packet" flip); a flip appends '^' where it happened;
 *  - a letter's case follows the final originator (uppercase = sent by `a`), so the history reads
 *    against the a/b columns of the same row;
 *  - no connection splitting (Zeek's attempt/close timers and SYN reuse start new rows);
 *  - checksums are not verified (no C/c) and payload is not reassembled (no G/g gap letters).
 *
 * Every TCP conversation gets a dense tracker index; state lives in typed arrays per side
 * (index * 2 + side, side 0/1 = key side A/B).
 */
import type { PacketSummary } from '../decode/summary.js';
import { TCP_FLAG } from '../decode/tcp.js';
import { growU32, growU8 } from './flow-table.js';

/** Endpoint states (Zeek TCP_Endpoint.h EndpointState). */
export const ST = {
  INACTIVE: 0,
  SYN_SENT: 1,
  SYN_ACK_SENT: 2,
  PARTIAL: 3,
  ESTABLISHED: 4,
  CLOSED: 5,
  RESET: 6,
} as const;

/** "Seen once" bits per side (Zeek TCP_Endpoint HistoryMasks): S and H share one. */
const SEEN = { SYN: 0x1, FIN: 0x2, RST: 0x4, FIN_RST: 0x8, DATA: 0x10, ACK: 0x20, MULTI_FLAG: 0x40 } as const;
/** Bits of the other side start here. */
const SEEN_SIDE_SHIFT = 16;

/** A SYN or RST that moves the sequence by more than this is not a retransmission signal. */
const SEQ_JUMP_LIMIT = 1 << 20;
/** History entries kept per connection; a RST storm cannot grow the row without bound. */
export const HISTORY_MAX = 32;
const FLIP = 0x5e; // '^'
const SIDE_BIT = 0x80;

const INITIAL = 256;

/**
 * One Uint32Array row per connection (locality, as for conversations): a block of SIDE_WORDS
 * for each key side, then the per-connection words. Sequence fields are absolute 32-bit values;
 * only differences and equality are ever used.
 */
const SW = {
  /** state | previous state << 4 | DATA_SENT */
  STATE: 0,
  START: 1,
  LAST: 2,
  LAST_SYN: 3,
  LAST_FIN: 4,
  LAST_RST: 5,
  REXMITS: 6,
  ZERO_WINDOWS: 7,
  /** Segments with RST sent (every one: the history letter records only the first). */
  RSTS: 8,
} as const;
const SIDE_WORDS = 9;
const CW = { SEEN: 2 * SIDE_WORDS, HIST_LEN: 2 * SIDE_WORDS + 1 } as const;
const ROW_WORDS = 2 * SIDE_WORDS + 2;
const STATE_MASK = 0xf;
const PREV_SHIFT = 4;
/** Set once the side sent payload (for REJ: Zeek asks whether either side has a size). */
const DATA_SENT = 0x100;

function isPowerOf10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

export class TcpTracker {
  /** Indexes handed out (released ones included: see `release`). */
  size = 0;
  private cap = 0;
  /** Released indexes, reused before new ones, so the arrays stay as large as the most held. */
  private free: number[] = [];
  private rows = new Uint32Array(0);
  private hist = new Uint8Array(0);

  constructor() {
    this.grow(INITIAL);
  }

  private grow(cap: number): void {
    this.rows = growU32(this.rows, cap * ROW_WORDS);
    this.hist = growU8(this.hist, cap * HISTORY_MAX);
    this.cap = cap;
  }

  /** A new TCP conversation: returns its tracker index. */
  add(): number {
    const t = this.free.pop();
    if (t !== undefined) return t;
    if (this.size >= this.cap) this.grow(this.cap * 2);
    return this.size++;
  }

  /** Index `t` is no longer used (its conversation left the flow table): cleared for reuse. */
  release(t: number): void {
    this.rows.fill(0, t * ROW_WORDS, (t + 1) * ROW_WORDS);
    this.free.push(t);
  }

  /**
   * Whether the connection is over: a side reset it, or both sides closed it (Zeek's
   * tcp_close_delay / tcp_reset_delay apply from here, not its inactivity timeout).
   */
  closed(t: number): boolean {
    const a = this.state(t * ROW_WORDS);
    const b = this.state(t * ROW_WORDS + SIDE_WORDS);
    return a === ST.RESET || b === ST.RESET || (a === ST.CLOSED && b === ST.CLOSED);
  }

  private append(t: number, code: number, side: number): void {
    const row = t * ROW_WORDS;
    const n = this.rows[row + CW.HIST_LEN];
    if (n >= HISTORY_MAX) return;
    this.hist[t * HISTORY_MAX + n] = code | (side << 7);
    this.rows[row + CW.HIST_LEN] = n + 1;
  }

  /** Zeek's CheckHistory: append `letter` unless this side already has `bit`; true if it had. */
  private once(t: number, side: number, bit: number, letter: number): boolean {
    const mask = bit << (side * SEEN_SIDE_SHIFT);
    const at = t * ROW_WORDS + CW.SEEN;
    if ((this.rows[at] & mask) !== 0) return true;
    this.rows[at] |= mask;
    this.append(t, letter, side);
    return false;
  }

  /**
   * Segments key side `side` sent again: payload that did not advance its highest sequence
   * (Zeek's rule; a retransmitted SYN or FIN carries none, so it is not counted).
   */
  retransmissions(t: number, side: number): number {
    return this.rows[t * ROW_WORDS + side * SIDE_WORDS + SW.REXMITS]!;
  }

  /**
   * The TCP flags key side `side` sent, as far as its history tells them (for a flow record's
   * tcpControlBits): SYN, FIN, RST, and ACK for an ACK or a segment with payload. PSH and URG
   * are not kept.
   */
  flagsSent(t: number, side: number): number {
    const seen = (this.rows[t * ROW_WORDS + CW.SEEN]! >>> (side * SEEN_SIDE_SHIFT)) & 0xffff;
    let f = 0;
    if (seen & SEEN.SYN) f |= TCP_FLAG.SYN;
    if (seen & SEEN.FIN) f |= TCP_FLAG.FIN;
    if (seen & SEEN.RST) f |= TCP_FLAG.RST;
    if (seen & (SEEN.ACK | SEEN.DATA)) f |= TCP_FLAG.ACK;
    return f;
  }

  /** Segments with RST that key side `side` sent. */
  resets(t: number, side: number): number {
    return this.rows[t * ROW_WORDS + side * SIDE_WORDS + SW.RSTS]!;
  }

  /** Roles flipped: the originator is now `side`. */
  flipped(t: number, side: number): void {
    this.append(t, FLIP, side);
  }

  private state(e: number): number {
    return this.rows[e + SW.STATE] & STATE_MASK;
  }

  private prev(e: number): number {
    return (this.rows[e + SW.STATE] >> PREV_SHIFT) & STATE_MASK;
  }

  private setState(e: number, st: number): void {
    const w = this.rows[e + SW.STATE];
    const cur = w & STATE_MASK;
    if (cur !== st) this.rows[e + SW.STATE] = (w & DATA_SENT) | (cur << PREV_SHIFT) | st;
  }

  /** One TCP packet from key side `side`; `origSide` is the originator's side at this moment. */
  update(t: number, side: number, origSide: number, s: PacketSummary): void {
    const rows = this.rows;
    const row = t * ROW_WORDS;
    const E = row + side * SIDE_WORDS;
    const P = row + (1 - side) * SIDE_WORDS;
    if (this.steady(t, row, E, P, side, s)) return;
    const isOrig = side === origSide;
    const f = s.tcpFlags;
    const syn = (f & TCP_FLAG.SYN) !== 0;
    const fin = (f & TCP_FLAG.FIN) !== 0;
    const rst = (f & TCP_FLAG.RST) !== 0;
    const ack = (f & TCP_FLAG.ACK) !== 0;
    const len = s.payloadLen > 0 ? s.payloadLen : 0;
    const seq = s.tcpSeq;
    // Sequence space used: payload plus one each for SYN and FIN; a RST's payload uses none.
    const segLen = (rst ? 0 : len) + (syn ? 1 : 0) + (fin ? 1 : 0);
    const endSeq = (seq + segLen) >>> 0;
    const before = this.state(E);
    if (rst) rows[E + SW.RSTS]++;

    // init_endpoint: the first packet fixes the start; later SYNs may re-base it.
    if (before === ST.INACTIVE) {
      rows[E + SW.START] = syn ? seq : (seq - 1) >>> 0;
      rows[E + SW.LAST] = syn ? endSeq : seq;
    } else if (
      syn &&
      (((before === ST.SYN_SENT || before === ST.SYN_ACK_SENT) && seq !== rows[E + SW.START]) ||
        before === ST.ESTABLISHED ||
        before === ST.PARTIAL ||
        (before === ST.RESET && this.prev(E) === ST.INACTIVE))
    ) {
      rows[E + SW.START] = seq;
      rows[E + SW.LAST] = endSeq;
    }
    const rel = (seq - rows[E + SW.START]) >>> 0;

    this.history(t, side, E, syn, fin, rst, ack, rel, len);

    // update_window: a zero window, except on a RST or towards a closed peer.
    if (s.tcpWindow === 0 && !rst && this.state(P) !== ST.CLOSED && before !== ST.RESET) {
      if (isPowerOf10(++rows[E + SW.ZERO_WINDOWS])) this.append(t, 0x57 /* W */, side);
    }

    // update_last_seq: payload that does not advance the highest sequence seen is a retransmission.
    const last = rows[E + SW.LAST];
    const d = (endSeq - last) | 0;
    if ((syn || rst) && (d > SEQ_JUMP_LIMIT || d < -SEQ_JUMP_LIMIT)) {
      // A jump: neither progress nor retransmission.
    } else if (fin && last === ((rows[E + SW.START] + 1) >>> 0)) {
      rows[E + SW.LAST] = endSeq;
    } else if (before === ST.RESET) {
      // Nothing after a reset counts.
    } else if (d > 0) {
      rows[E + SW.LAST] = endSeq;
    } else if (len > 0) {
      if (isPowerOf10(++rows[E + SW.REXMITS])) this.append(t, 0x54 /* T */, side);
    }
    if (len > 0 && !rst) rows[E + SW.STATE] |= DATA_SENT;

    this.transition(E, P, isOrig, isOrig ? E : P, syn, fin, rst, ack, len);
  }

  /**
   * The common case, done without the general machinery: a segment with no SYN, FIN or RST and
   * a non-zero window between two established sides, whose history letter (D or A) this side
   * already has. Only the retransmission check and the data bit can change, exactly as on the
   * general path. Returns false (having changed nothing) when the packet needs that path.
   */
  private steady(t: number, row: number, E: number, P: number, side: number, s: PacketSummary): boolean {
    const rows = this.rows;
    const f = s.tcpFlags;
    if ((f & (TCP_FLAG.SYN | TCP_FLAG.FIN | TCP_FLAG.RST)) !== 0 || s.tcpWindow === 0) return false;
    const se = rows[E + SW.STATE];
    if ((se & STATE_MASK) !== ST.ESTABLISHED || (rows[P + SW.STATE] & STATE_MASK) !== ST.ESTABLISHED) return false;
    const len = s.payloadLen > 0 ? s.payloadLen : 0;
    const bit = len > 0 ? SEEN.DATA : (f & TCP_FLAG.ACK) !== 0 ? SEEN.ACK : 0;
    if (bit === 0 || (rows[row + CW.SEEN] & (bit << (side * SEEN_SIDE_SHIFT))) === 0) return false;
    const endSeq = (s.tcpSeq + len) >>> 0;
    const d = (endSeq - rows[E + SW.LAST]) | 0;
    if (d > 0) rows[E + SW.LAST] = endSeq;
    else if (len > 0 && isPowerOf10(++rows[E + SW.REXMITS])) this.append(t, 0x54 /* T */, side);
    if (len > 0) rows[E + SW.STATE] = se | DATA_SENT;
    return true;
  }

  /** update_history: one of S/H/F/R/I/Q/D/A for this packet. */
  private history(
    t: number,
    side: number,
    E: number,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    ack: boolean,
    rel: number,
    len: number,
  ): void {
    const n = (syn ? 1 : 0) + (fin ? 1 : 0) + (rst ? 1 : 0);
    if (n > 1) {
      if (fin && rst) this.once(t, side, SEEN.FIN_RST, 0x49 /* I */);
      else this.once(t, side, SEEN.MULTI_FLAG, 0x51 /* Q */);
    } else if (syn) {
      const letter = ack ? 0x48 /* H */ : 0x53; /* S */
      if (this.once(t, side, SEEN.SYN, letter) && rel !== this.rows[E + SW.LAST_SYN]) this.append(t, letter, side);
      this.rows[E + SW.LAST_SYN] = rel;
    } else if (fin) {
      const key = (rel + len) >>> 0;
      if (this.once(t, side, SEEN.FIN, 0x46 /* F */) && key !== this.rows[E + SW.LAST_FIN]) this.append(t, 0x46, side);
      this.rows[E + SW.LAST_FIN] = key;
    } else if (rst) {
      if (this.once(t, side, SEEN.RST, 0x52 /* R */) && rel !== this.rows[E + SW.LAST_RST]) this.append(t, 0x52, side);
      this.rows[E + SW.LAST_RST] = rel;
    } else if (len > 0) {
      this.once(t, side, SEEN.DATA, 0x44 /* D */);
    } else if (ack) {
      this.once(t, side, SEEN.ACK, 0x41 /* A */);
    }
  }

  /** UpdateStateMachine: SYN, then FIN, then RST, each seeing the state the previous left. */
  private transition(
    E: number,
    P: number,
    isOrig: boolean,
    O: number,
    syn: boolean,
    fin: boolean,
    rst: boolean,
    ack: boolean,
    len: number,
  ): void {
    switch (this.state(E)) {
      case ST.INACTIVE:
        if (syn) {
          if (isOrig) {
            // Our originator rule put the SYN's sender here even when a SYN-ACK came first:
            // that is Zeek's "reversal", after which both sides are established.
            if (!ack && this.state(P) === ST.SYN_ACK_SENT) {
              this.setState(P, ST.ESTABLISHED);
              this.setState(E, ST.ESTABLISHED);
            } else {
              this.setState(E, ack ? ST.SYN_ACK_SENT : ST.SYN_SENT);
            }
          } else {
            if (this.state(P) === ST.SYN_SENT) this.setState(P, ST.ESTABLISHED);
            this.setState(E, ST.ESTABLISHED);
          }
        }
        if (fin) this.setState(E, ST.CLOSED);
        if (rst) this.setState(E, ST.RESET);
        if (this.state(E) === ST.INACTIVE) {
          // A bare ACK from the responder before its SYN-ACK is ignored.
          if (!isOrig && len === 0 && this.state(O) === ST.SYN_SENT) break;
          this.setState(E, ack && this.state(P) === ST.ESTABLISHED ? ST.ESTABLISHED : ST.PARTIAL);
        }
        break;
      case ST.SYN_SENT:
      case ST.SYN_ACK_SENT:
        if (fin) this.setState(E, ST.CLOSED);
        if (rst) this.setState(E, ST.RESET);
        break;
      case ST.ESTABLISHED:
      case ST.PARTIAL:
        if (syn && this.state(E) === ST.PARTIAL && this.state(P) === ST.INACTIVE && !ack) {
          this.setState(E, ST.SYN_SENT);
        }
        if (fin && !rst) {
          this.setState(E, ST.CLOSED);
          // The peer's FIN then RST is a normal close.
          if (this.state(P) === ST.RESET && this.prev(P) === ST.CLOSED) this.setState(P, ST.CLOSED);
        }
        if (rst) this.setState(E, ST.RESET);
        break;
      case ST.CLOSED:
        if (rst && this.state(P) !== ST.CLOSED) this.setState(E, ST.RESET);
        break;
      default:
        // RESET is final.
        break;
    }
  }

  /** The history string with letters cased by `origSide` (uppercase: sent by the originator). */
  historyString(t: number, origSide: number): string {
    let out = '';
    const base = t * HISTORY_MAX;
    const n = this.rows[t * ROW_WORDS + CW.HIST_LEN];
    for (let i = 0; i < n; i++) {
      const e = this.hist[base + i];
      const code = e & ~SIDE_BIT;
      const side = e >> 7;
      out += code === FLIP || side === origSide ? String.fromCharCode(code) : String.fromCharCode(code + 32);
    }
    return out;
  }

  /** Zeek's conn_state() for this connection, `origSide` being the originator's key side. */
  connState(t: number, origSide: number): string {
    const row = t * ROW_WORDS;
    const O = row + origSide * SIDE_WORDS;
    const Rp = row + (1 - origSide) * SIDE_WORDS;
    const os = this.state(O);
    const rs = this.state(Rp);
    const oInactive = os === ST.INACTIVE || os === ST.PARTIAL;
    const rInactive = rs === ST.INACTIVE || rs === ST.PARTIAL;
    if (rs === ST.RESET) {
      const noData = ((this.rows[O + SW.STATE] | this.rows[Rp + SW.STATE]) & DATA_SENT) === 0;
      if (os === ST.SYN_SENT || os === ST.SYN_ACK_SENT || (os === ST.RESET && noData)) return 'REJ';
      return oInactive ? 'RSTRH' : 'RSTR';
    }
    if (os === ST.RESET) {
      if (rInactive) return /^\^?S[^HAFGIQ]*R.*$/.test(this.historyString(t, origSide)) ? 'RSTOS0' : 'OTH';
      return 'RSTO';
    }
    if (os === ST.CLOSED && rs === ST.CLOSED) return 'SF';
    if (os === ST.CLOSED) return rInactive ? 'SH' : 'S2';
    if (rs === ST.CLOSED) return oInactive ? 'SHR' : 'S3';
    if (os === ST.SYN_SENT && rs === ST.INACTIVE) return 'S0';
    if (os === ST.ESTABLISHED && rs === ST.ESTABLISHED) return 'S1';
    return 'OTH';
  }
}
