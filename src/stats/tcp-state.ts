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
import { growF64, growU32, growU8 } from './flow-table.js';

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

function isPowerOf10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

export class TcpTracker {
  size = 0;
  private cap = 0;
  // Per side (index * 2 + side).
  private state = new Uint8Array(0);
  private prev = new Uint8Array(0);
  private start = new Uint32Array(0);
  private last = new Uint32Array(0);
  private lastSyn = new Uint32Array(0);
  private lastFin = new Uint32Array(0);
  private lastRst = new Uint32Array(0);
  private finCount = new Uint32Array(0);
  private rexmits = new Uint32Array(0);
  private zeroWindows = new Uint32Array(0);
  private payload = new Float64Array(0);
  // Per connection.
  private seen = new Uint32Array(0);
  private histLen = new Uint8Array(0);
  private hist = new Uint8Array(0);

  constructor() {
    this.grow(INITIAL);
  }

  private grow(cap: number): void {
    const two = cap * 2;
    this.state = growU8(this.state, two);
    this.prev = growU8(this.prev, two);
    this.start = growU32(this.start, two);
    this.last = growU32(this.last, two);
    this.lastSyn = growU32(this.lastSyn, two);
    this.lastFin = growU32(this.lastFin, two);
    this.lastRst = growU32(this.lastRst, two);
    this.finCount = growU32(this.finCount, two);
    this.rexmits = growU32(this.rexmits, two);
    this.zeroWindows = growU32(this.zeroWindows, two);
    this.payload = growF64(this.payload, two);
    this.seen = growU32(this.seen, cap);
    this.histLen = growU8(this.histLen, cap);
    this.hist = growU8(this.hist, cap * HISTORY_MAX);
    this.cap = cap;
  }

  /** A new TCP conversation: returns its tracker index. */
  add(): number {
    if (this.size >= this.cap) this.grow(this.cap * 2);
    return this.size++;
  }

  private append(t: number, code: number, side: number): void {
    const n = this.histLen[t];
    if (n >= HISTORY_MAX) return;
    this.hist[t * HISTORY_MAX + n] = code | (side << 7);
    this.histLen[t] = n + 1;
  }

  /** Zeek's CheckHistory: append `letter` unless this side already has `bit`; true if it had. */
  private once(t: number, side: number, bit: number, letter: number): boolean {
    const mask = bit << (side * SEEN_SIDE_SHIFT);
    if ((this.seen[t] & mask) !== 0) return true;
    this.seen[t] |= mask;
    this.append(t, letter, side);
    return false;
  }

  /** Roles flipped: the originator is now `side`. */
  flipped(t: number, side: number): void {
    this.append(t, FLIP, side);
  }

  private setState(i: number, st: number): void {
    if (this.state[i] !== st) {
      this.prev[i] = this.state[i];
      this.state[i] = st;
    }
  }

  /** One TCP packet from key side `side`; `origSide` is the originator's side at this moment. */
  update(t: number, side: number, origSide: number, s: PacketSummary): void {
    const E = t * 2 + side;
    const P = t * 2 + (1 - side);
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
    const before = this.state[E];

    // init_endpoint: the first packet fixes the start; later SYNs may re-base it.
    if (before === ST.INACTIVE) {
      this.start[E] = syn ? seq : (seq - 1) >>> 0;
      this.last[E] = syn ? endSeq : seq;
    } else if (
      syn &&
      (((before === ST.SYN_SENT || before === ST.SYN_ACK_SENT) && seq !== this.start[E]) ||
        before === ST.ESTABLISHED ||
        before === ST.PARTIAL ||
        (before === ST.RESET && this.prev[E] === ST.INACTIVE))
    ) {
      this.start[E] = seq;
      this.last[E] = endSeq;
    }
    const rel = (seq - this.start[E]) >>> 0;

    this.history(t, side, E, syn, fin, rst, ack, rel, len);

    // update_window: a zero window, except on a RST or towards a closed peer.
    if (s.tcpWindow === 0 && !rst && this.state[P] !== ST.CLOSED && before !== ST.RESET) {
      if (isPowerOf10(++this.zeroWindows[E])) this.append(t, 0x57 /* W */, side);
    }
    if (fin) this.finCount[E]++;

    // update_last_seq: payload that does not advance the highest sequence seen is a retransmission.
    const d = (endSeq - this.last[E]) | 0;
    if ((syn || rst) && (d > SEQ_JUMP_LIMIT || d < -SEQ_JUMP_LIMIT)) {
      // A jump: neither progress nor retransmission.
    } else if (fin && this.last[E] === ((this.start[E] + 1) >>> 0)) {
      this.last[E] = endSeq;
    } else if (before === ST.RESET) {
      // Nothing after a reset counts.
    } else if (d > 0) {
      this.last[E] = endSeq;
    } else if (len > 0) {
      if (isPowerOf10(++this.rexmits[E])) this.append(t, 0x54 /* T */, side);
    }
    this.payload[E] += rst ? 0 : len;

    this.transition(E, P, isOrig, origSide === side ? E : P, syn, fin, rst, ack, len);
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
      if (this.once(t, side, SEEN.SYN, letter) && rel !== this.lastSyn[E]) this.append(t, letter, side);
      this.lastSyn[E] = rel;
    } else if (fin) {
      const key = (rel + len) >>> 0;
      if (this.once(t, side, SEEN.FIN, 0x46 /* F */) && key !== this.lastFin[E]) this.append(t, 0x46, side);
      this.lastFin[E] = key;
    } else if (rst) {
      if (this.once(t, side, SEEN.RST, 0x52 /* R */) && rel !== this.lastRst[E]) this.append(t, 0x52, side);
      this.lastRst[E] = rel;
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
    switch (this.state[E]) {
      case ST.INACTIVE:
        if (syn) {
          if (isOrig) {
            // Our originator rule put the SYN's sender here even when a SYN-ACK came first:
            // that is Zeek's "reversal", after which both sides are established.
            if (!ack && this.state[P] === ST.SYN_ACK_SENT) {
              this.setState(P, ST.ESTABLISHED);
              this.setState(E, ST.ESTABLISHED);
            } else {
              this.setState(E, ack ? ST.SYN_ACK_SENT : ST.SYN_SENT);
            }
          } else {
            if (this.state[P] === ST.SYN_SENT) this.setState(P, ST.ESTABLISHED);
            this.setState(E, ST.ESTABLISHED);
          }
        }
        if (fin) this.setState(E, ST.CLOSED);
        if (rst) this.setState(E, ST.RESET);
        if (this.state[E] === ST.INACTIVE) {
          // A bare ACK from the responder before its SYN-ACK is ignored.
          if (!isOrig && len === 0 && this.state[O] === ST.SYN_SENT) break;
          this.setState(E, ack && this.state[P] === ST.ESTABLISHED ? ST.ESTABLISHED : ST.PARTIAL);
        }
        break;
      case ST.SYN_SENT:
      case ST.SYN_ACK_SENT:
        if (fin) this.setState(E, ST.CLOSED);
        if (rst) this.setState(E, ST.RESET);
        break;
      case ST.ESTABLISHED:
      case ST.PARTIAL:
        if (syn && this.state[E] === ST.PARTIAL && this.state[P] === ST.INACTIVE && !ack) {
          this.setState(E, ST.SYN_SENT);
        }
        if (fin && !rst) {
          this.setState(E, ST.CLOSED);
          // The peer's FIN then RST is a normal close.
          if (this.state[P] === ST.RESET && this.prev[P] === ST.CLOSED) this.setState(P, ST.CLOSED);
        }
        if (rst) this.setState(E, ST.RESET);
        break;
      case ST.CLOSED:
        if (rst && this.state[P] !== ST.CLOSED) this.setState(E, ST.RESET);
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
    for (let i = 0; i < this.histLen[t]; i++) {
      const e = this.hist[base + i];
      const code = e & ~SIDE_BIT;
      const side = e >> 7;
      out += code === FLIP || side === origSide ? String.fromCharCode(code) : String.fromCharCode(code + 32);
    }
    return out;
  }

  /** Zeek's conn_state() for this connection, `origSide` being the originator's key side. */
  connState(t: number, origSide: number): string {
    const os = this.state[t * 2 + origSide];
    const rs = this.state[t * 2 + 1 - origSide];
    const oInactive = os === ST.INACTIVE || os === ST.PARTIAL;
    const rInactive = rs === ST.INACTIVE || rs === ST.PARTIAL;
    if (rs === ST.RESET) {
      const noData = this.payload[t * 2] === 0 && this.payload[t * 2 + 1] === 0;
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
