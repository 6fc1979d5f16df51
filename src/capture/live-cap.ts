/**
 * Live capture through libpcap, by way of the `cap` module (an optional dependency: it compiles
 * against libpcap's headers, and replay must work on machines without them).
 *
 * What `cap` gives and what it does not (see DEVELOPERS.md, "Known traps"):
 * - It always opens the device in promiscuous mode, with snaplen 65535 and immediate mode.
 *   libpcap on Linux asks for promiscuity with a PACKET_MR_PROMISC membership on its socket, which
 *   the kernel takes back when the socket closes, however the process ends (even SIGKILL), so the
 *   interface's promiscuity count returns to its earlier value without our help.
 * - It copies each packet into the one Buffer handed to `open()` and keeps a raw pointer to it:
 *   that Buffer must stay referenced from JS for the capture's lifetime, or GC frees it under
 *   libpcap's feet. `LiveCapture.frame` holds it.
 * - It reports neither timestamps nor the wire length nor drop counters. Times come from a
 *   monotonic clock anchored once to wall time (so they never run backwards when the wall clock
 *   is stepped); the wire length is the captured length (snaplen 65535 cuts nothing an Ethernet
 *   MTU carries); loss is estimated from the NIC counters (nic-counters.ts).
 * - Its per-packet cost is ~6 µs of CPU (a callback and syscalls per packet): the sink must stay
 *   light (decode into a reused summary, count, copy into a write buffer).
 */
import { createRequire } from 'node:module';
import { LINKTYPE } from './linktype.js';
import { type KernelCounts, type LiveBackend, LiveCaptureError } from './live-backend.js';
import { CaptureRecord, type RecordSink } from './source.js';

export { LiveCaptureError };

/** libpcap's snapshot length under `cap` (fixed in its binding). */
export const CAP_SNAPLEN = 65535;
/** Kernel capture buffer when none is asked for: 8 MiB, four times tcpdump's default of 2 MiB,
 *  because a JavaScript consumer stalls longer (GC) than tcpdump's loop. */
export const DEFAULT_BUFFER_BYTES = 8 * 1024 * 1024;

/** What a user must do when the binding is missing: one line, copyable. */
export const CAP_MISSING =
  'live capture needs the cap module, which builds against libpcap: run `sudo apt-get install -y libpcap-dev` and then `npm ci` again in wirestat\'s directory';


/** The part of `cap`'s Cap object we use. */
interface CapHandle {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): void;
  on(event: 'packet', listener: (nbytes: number, truncated: boolean) => void): void;
  removeAllListeners(event?: string): void;
}
type CapModule = { Cap: (new () => CapHandle) & { deviceList(): { name: string }[] } };

let capModule: CapModule | null | undefined;

/**
 * Closed handles, kept referenced until the process ends. cap's close() stops its libuv poll
 * handle but never uv_close()s it, so the handle stays linked in the event loop's handle list;
 * if GC then collected the Cap object, that list would point into freed memory, and the process
 * died with SIGSEGV at exit (seen in the lab tests, about one run in ten).
 */
const closedHandles: CapHandle[] = [];

/** Loads `cap` once; null when it is not installed or its binding does not load. */
export function loadCap(): CapModule | null {
  if (capModule !== undefined) return capModule;
  if (process.env.WIRESTAT_NO_CAP === '1') return (capModule = null);
  try {
    capModule = createRequire(import.meta.url)('cap') as CapModule;
  } catch {
    capModule = null;
  }
  return capModule;
}

/** `cap`'s link-type strings (binding.cc) → LINKTYPE_ values. */
function linktypeOf(name: string): number | null {
  switch (name) {
    case 'ETHERNET':
      return LINKTYPE.EN10MB;
    case 'NULL':
      return LINKTYPE.NULL;
    case 'LINKTYPE_LINUX_SLL':
      return LINKTYPE.LINUX_SLL;
    case 'RAW':
      return LINKTYPE.RAW;
    case 'IEEE802_11_RADIO':
      return 127;
  }
  // "Unknown linktype N": N is a DLT_ value, equal to the LINKTYPE_ value for every type
  // wirestat decodes that can appear here (LINUX_SLL2 = 276, IPV4/IPV6, LOOP on Linux).
  const m = /^Unknown linktype (\d+)$/.exec(name);
  return m ? Number(m[1]) : null;
}

/** libpcap's errors, turned into what the user should do. */
function describeOpenError(device: string, message: string, argv: readonly string[]): string {
  const m = message.replace(/\s+/g, ' ').trim();
  if (/permission|not permitted|EPERM|EACCES/i.test(m)) {
    const again = argv.length > 0 ? `sudo wirestat ${argv.join(' ')}` : 'sudo wirestat …';
    return `capture needs root or CAP_NET_RAW (${m}); run: ${again}`;
  }
  if (/no such device/i.test(m)) return `no such interface (\`ip link\` lists them)`;
  if (/syntax error|can't parse|illegal|unknown host|expression rejects/i.test(m)) return `bad filter: ${m}`;
  if (/not up/i.test(m)) return `interface is down (ip link set ${device} up)`;
  return m;
}

export interface LiveOptions {
  /** A pcap-filter expression, compiled by libpcap. */
  filter?: string;
  /** Kernel capture buffer in bytes. */
  bufferBytes?: number;
  /** The command line, for the "run it with sudo" hint. */
  argv?: readonly string[];
  /** Monotonic clock in ns (tests inject one). */
  monotonicNs?: () => bigint;
  /** Wall clock in ms since the epoch, read once at open. */
  wallMs?: () => number;
}

export class LiveCapture implements LiveBackend {
  readonly linktype: number;
  readonly snaplen = CAP_SNAPLEN;
  /** Packets handed to the sink. */
  captured = 0;
  /** Packets `cap` cut because they did not fit `frame` (never expected: frame > snaplen). */
  truncated = 0;
  private readonly cap: CapHandle;
  private readonly rec = new CaptureRecord();
  private readonly monotonicNs: () => bigint;
  /** Wall time at open, as ns since the epoch, and the monotonic reading taken with it. */
  private readonly anchorWallNs: bigint;
  private readonly anchorMonoNs: bigint;
  private open = true;

  private constructor(
    readonly device: string,
    cap: CapHandle,
    linkName: string,
    /** The Buffer `cap` writes every packet into; referenced here for the capture's lifetime. */
    readonly frame: Buffer,
    opts: LiveOptions,
  ) {
    this.cap = cap;
    const lt = linktypeOf(linkName);
    if (lt === null) throw new LiveCaptureError(device, `link type ${linkName} is not one libpcap names`);
    this.linktype = lt;
    this.monotonicNs = opts.monotonicNs ?? process.hrtime.bigint;
    this.anchorMonoNs = this.monotonicNs();
    this.anchorWallNs = BigInt(Math.round((opts.wallMs ?? Date.now)() * 1e6));
    const r = this.rec;
    r.buf = frame;
    r.offset = 0;
    r.linktype = lt;
    r.hasTs = true;
  }

  /**
   * Opens `device` (promiscuous, as `cap` always does). Throws LiveCaptureError with one line
   * that says what to do: install libpcap, run as root, name an existing interface, fix the filter.
   */
  static open(device: string, opts: LiveOptions = {}): LiveCapture {
    const mod = loadCap();
    if (mod === null) throw new LiveCaptureError(device, CAP_MISSING);
    // libpcap's own device list (pcap_findalldevs, as tcpdump -D): asked first because opening
    // a device that does not exist makes the binding print a warning of its own on stderr.
    if (!mod.Cap.deviceList().some((d) => d.name === device)) throw new LiveCaptureError(device, 'no such interface (`ip link` lists them)');
    const cap = new mod.Cap();
    // One byte over the snap length: a packet that fills it was not cut by us.
    const frame = Buffer.alloc(CAP_SNAPLEN + 1);
    try {
      const linkName = cap.open(device, opts.filter ?? '', opts.bufferBytes ?? DEFAULT_BUFFER_BYTES, frame);
      return new LiveCapture(device, cap, linkName, frame, opts);
    } catch (err) {
      // No cap.close() here: after a failed open() the binding's poll handle was never
      // initialised, and close() stops it anyway — a segmentation fault (measured: exit 139).
      // The half-open pcap handle goes with the process.
      if (err instanceof LiveCaptureError) throw err;
      throw new LiveCaptureError(device, describeOpenError(device, (err as Error).message ?? String(err), opts.argv ?? []));
    }
  }

  /** Hands every packet to `sink` (synchronously, inside cap's callback; the borrow rule holds).
   *  `cap` never ends a capture by itself, so `ended` is never called. */
  start(sink: RecordSink, _ended?: (err: Error) => void): void {
    const r = this.rec;
    this.cap.on('packet', (nbytes: number, truncated: boolean) => {
      const ns = this.anchorWallNs + (this.monotonicNs() - this.anchorMonoNs);
      r.tsSec = Number(ns / 1_000_000_000n);
      r.tsNsec = Number(ns % 1_000_000_000n);
      r.caplen = nbytes;
      r.wirelen = nbytes;
      if (truncated) this.truncated++;
      this.captured++;
      sink(r);
    });
  }

  /** `cap` reads no pcap_stats: the session estimates loss from the NIC counters. */
  kernel(): KernelCounts | null {
    return null;
  }

  lost(): number | null {
    return null;
  }

  poll(): void {}

  /** Stops the capture; the kernel drops the promiscuous membership with the socket. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.cap.removeAllListeners('packet');
    this.cap.close();
    closedHandles.push(this.cap);
  }
}
