/**
 * The flow table's policy: how many conversations it holds, what a new one meets when it is full,
 * and when a silent conversation counts as ended (README, "Flow table").
 */

/** Default limit on conversations held at once (memory: see README, "Flow table"). */
export const DEFAULT_MAX_CONVERSATIONS = 300_000;

/**
 * What a new conversation meets when the table is full (README, "Flow table"):
 * - `refuse` (the default, as Linux conntrack drops a full table's new connections): only
 *   expired conversations leave; while none has, new ones are turned away. Under a flood the
 *   table keeps what it holds and the work per packet stays small;
 * - `evict`: the conversations whose idle timeout runs out soonest (the expired ones first) leave
 *   in a batch, and the new one takes a place: the table follows the newest conversations.
 */
export const WHEN_FULL = ['refuse', 'evict'] as const;
export type WhenFull = (typeof WHEN_FULL)[number];
export const DEFAULT_WHEN_FULL: WhenFull = 'refuse';

/**
 * Seconds of silence after which a conversation has ended, by protocol: Zeek's defaults
 * (tcp_inactivity_timeout 5 min, udp_ and icmp_inactivity_timeout 1 min, and for a TCP
 * connection already closed or reset, tcp_close_delay / tcp_reset_delay 5 s). Zeek has no
 * timeout for other IP protocols; they get UDP's.
 */
export interface IdleTimeouts {
  tcp: number;
  tcpClosed: number;
  udp: number;
  icmp: number;
  other: number;
}
export const DEFAULT_IDLE_TIMEOUTS: Readonly<IdleTimeouts> = { tcp: 300, tcpClosed: 5, udp: 60, icmp: 60, other: 60 };

export interface FlowTableOptions {
  /** Conversations held at once. */
  capacity?: number;
  whenFull?: WhenFull;
  timeouts?: Partial<IdleTimeouts>;
}

const TIMEOUT_NAMES: Record<string, keyof IdleTimeouts> = {
  tcp: 'tcp',
  'tcp-closed': 'tcpClosed',
  udp: 'udp',
  icmp: 'icmp',
  other: 'other',
};

/** `tcp=600,udp=30` (seconds, any of tcp, tcp-closed, udp, icmp, other); throws a one-line Error. */
export function parseIdleTimeouts(text: string): Partial<IdleTimeouts> {
  const out: Partial<IdleTimeouts> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([a-z-]+)\s*=\s*([0-9]+(?:\.[0-9]+)?)\s*$/.exec(part);
    const name = m ? TIMEOUT_NAMES[m[1]!] : undefined;
    if (!m || name === undefined) {
      throw new Error(`"${part.trim()}" is not PROTOCOL=SECONDS with PROTOCOL one of ${Object.keys(TIMEOUT_NAMES).join(', ')}`);
    }
    out[name] = Number(m[2]);
  }
  return out;
}

/** The timeouts as `parseIdleTimeouts` reads them. */
export function idleTimeoutsText(t: Readonly<IdleTimeouts>): string {
  return Object.entries(TIMEOUT_NAMES)
    .map(([text, name]) => `${text}=${t[name]}`)
    .join(',');
}
