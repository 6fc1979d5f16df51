/**
 * A network-namespace lab for live-capture tests: a hub that floods every frame to every port,
 * as a span port sees the wire, a sensor to capture on, a player to replay captures from, and
 * optionally two hosts that make real traffic.
 *
 * ```
 *                 <prefix>-hub: br0 02:57:53:4c:00:00 (ageing_time 0, learning off, STP off,
 *                               multicast snooping off, no netfilter, no local fdb entries)
 *        port "sensor"      port "player"       port "h1"                port "h2"
 *              |                  |                 |                        |
 *   <prefix>-sensor     <prefix>-player     <prefix>-h1 eth0         <prefix>-h2 eth0
 *   e0 02:57:53:4c:01:01  p0 …:01:02        02:57:53:4c:01:11        02:57:53:4c:01:12
 *   (captures here)     (tcpreplay here)    198.18.99.1/24           198.18.99.2/24
 *                                           2001:db8:99::1/64        2001:db8:99::2/64
 * ```
 * (hub ports are 02:57:53:4c:00:0N; N = 1 sensor, 2 player, 3 h1, 4 h2)
 *
 * Rules it keeps: only 198.18.0.0/15 and 2001:db8::/32, only inside its own namespaces, no
 * default route anywhere (nothing can leave); every process it starts runs under `timeout`, so
 * even a killed test leaves nothing running for long. Names are `wsl-<pid>-<n>-<role>`: unique
 * per test process (tap runs files in parallel), and a namespace whose pid is gone is a leftover
 * of a killed run, removed when the next lab starts. A lab is removed in `stop()` (withLab's
 * finally), on process exit, and on SIGINT/SIGTERM/SIGHUP/SIGALRM (tap's timeout signal).
 *
 * Quiet: with nothing sent, the sensor sees no frame at all. The sensor, player and hub have
 * IPv6 disabled and no IPv4 address (no MLD, RS, DAD, ARP); the bridge runs no STP and no
 * multicast querier. Hosts have no link-local address (addrgenmode none), no DAD, no RA/RS.
 * With `resolve: 'static'` (default) the hosts' interfaces are NOARP with permanent neighbour
 * entries for each other: no ARP, no NDP, and (NOARP joins no solicited-node group) no MLD
 * either; only the traffic a test makes is on the wire. With `resolve: 'learned'` ARP and
 * NS/NA precede the first packet to a peer, as on a real LAN; the MLD reports for the
 * solicited-node groups are sent (with a 10 ms report interval) while the lab is built, and
 * start() waits until e0 has been still before it returns.
 *
 * Exact: TX checksum, scatter-gather, TSO, GSO and GRO are off on every veth (frames stay
 * MTU-sized, carry real checksums, and nothing is coalesced on the way in); the hub path has
 * MTU 9000 (`mtu`), the hosts 1500 (`hostMtu`).
 *
 * What the hub and the veths still drop or change (measured in lab.test.ts, "what the hub
 * passes"; Linux bridge br_handle_frame, veth_xmit, packet_snd):
 * - frames whose source MAC is multicast/broadcast or all zeros (the bridge drops them: not a
 *   valid station address);
 * - frames to 01:80:c2:00:00:01 (802.3x PAUSE): the bridge always drops them. The other
 *   link-local groups 01:80:c2:00:00:0X are normally kept by the bridge (LACP, 802.1X, LLDP…);
 *   the lab forwards them with the port option group_fwd_mask 0xfffd, and STP BPDUs (…:00) are
 *   forwarded because STP is off;
 * - frames larger than MTU + 14 (+4 when VLAN-tagged): tcpreplay's send fails (EMSGSIZE) and
 *   the receiving veth would drop them too;
 * - frames shorter than 14 bytes cannot be sent at all (the packet socket refuses them, EINVAL;
 *   tcpreplay counts them failed); 14..59-byte frames pass unpadded (veth does not pad to 60);
 * - frames to a MAC the bridge owns would be delivered to br0 instead of flooded: the lab
 *   deletes those local fdb entries, so they are flooded like any other.
 * VLAN tags (802.1Q, 802.1ad) pass unchanged: the kernel moves the outer tag into metadata on
 * receive and libpcap puts it back.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every namespace the lab creates starts with this. */
export const LAB_PREFIX = 'wsl-';
export const SENSOR_IF = 'e0';
export const PLAYER_IF = 'p0';
export const HOST_IF = 'eth0';
export const BRIDGE = 'br0';

export type LabRole = 'hub' | 'sensor' | 'player' | 'h1' | 'h2';
export type HostRole = 'h1' | 'h2';

export const HUB_MAC = '02:57:53:4c:00:00';
/** Where each role attaches: its interface, its MAC, the hub port facing it and that port's MAC. */
export const ATTACH: Record<Exclude<LabRole, 'hub'>, { ifname: string; mac: string; port: string; portMac: string }> = {
  sensor: { ifname: SENSOR_IF, mac: '02:57:53:4c:01:01', port: 'sensor', portMac: '02:57:53:4c:00:01' },
  player: { ifname: PLAYER_IF, mac: '02:57:53:4c:01:02', port: 'player', portMac: '02:57:53:4c:00:02' },
  h1: { ifname: HOST_IF, mac: '02:57:53:4c:01:11', port: 'h1', portMac: '02:57:53:4c:00:03' },
  h2: { ifname: HOST_IF, mac: '02:57:53:4c:01:12', port: 'h2', portMac: '02:57:53:4c:00:04' },
};
/** The hosts' addresses (not those of fixtures/captures, 198.18.0.x and 2001:db8::x, so a replayed
 *  fixture never addresses a lab host). */
export const HOST_ADDR: Record<HostRole, { ipv4: string; ipv6: string; mac: string }> = {
  h1: { ipv4: '198.18.99.1', ipv6: '2001:db8:99::1', mac: ATTACH.h1.mac },
  h2: { ipv4: '198.18.99.2', ipv6: '2001:db8:99::2', mac: ATTACH.h2.mac },
};
const HOST_PREFIX4 = 24;
const HOST_PREFIX6 = 64;

/** Interface index of the first hub port (the others follow). */
const HUB_PORT_INDEX0 = 10;
/** Link-local group destinations the ports forward: all of 01:80:c2:00:00:00..0f but PAUSE (bit 1),
 *  which the kernel refuses. */
const PORT_GROUP_FWD_MASK = '0xfffd';
/** MLDv2 unsolicited report interval for learned mode (ms): the reports are over while building. */
const LEARNED_MLD_INTERVAL_MS = 10;

export interface LabOptions {
  /** Add hosts h1 and h2 (default false). */
  hosts?: boolean;
  /** How hosts find each other's MAC: 'static' (default: NOARP, permanent neighbours, silent) or
   *  'learned' (ARP and NDP on the wire before the first packet to a peer). */
  resolve?: 'static' | 'learned';
  /** MTU of the hub, its ports, e0 and p0 (default 9000). */
  mtu?: number;
  /** MTU of the hosts' eth0 (default 1500). */
  hostMtu?: number;
}

export interface ExecOptions {
  /** Killed (SIGKILL) after this long; the result says timedOut (default 20 s). */
  timeoutMs?: number;
  input?: string | Buffer;
  /** Added to the environment (which has no NODE_OPTIONS and no proxy variables). */
  env?: Record<string, string>;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface SpawnOptions {
  /** Upper bound on the process's life (the `timeout` wrapper; default 120 s). */
  maxSeconds?: number;
  env?: Record<string, string>;
}

export interface ReplayOptions {
  /** Packets per second, or 'top' for tcpreplay --topspeed (default DEFAULT_REPLAY_PPS). */
  pps?: number | 'top';
  /** Default 30 s. */
  timeoutMs?: number;
}

/** tcpreplay's own account of a run. */
export interface ReplayResult {
  packets: number;
  bytes: number;
  seconds: number;
  successful: number;
  failed: number;
  truncated: number;
  retried: number;
  ms: number;
  output: string;
}

export interface TcpdumpOptions {
  /** Arguments after the fixed ones (a filter, -p, --time-stamp-precision=nano …). */
  args?: string[];
  /** Kernel buffer in KiB (-B; default 32768). */
  bufferKiB?: number;
  /** How long to wait for "listening on" (default 10 s). */
  readyTimeoutMs?: number;
}

/** tcpdump's closing lines. */
export interface TcpdumpStats {
  captured: number;
  received: number;
  dropped: number;
  code: number | null;
  stderr: string;
}

/** Counters from /sys/class/net/IF/statistics, read inside the namespace. */
export type NicCounters = Record<string, number>;

/**
 * Fast and exact in this lab: tcpreplay's --topspeed delivered every fixture (up to ~180k pps)
 * without loss, because veth hands each frame over synchronously in the sender's context; the
 * bounded default leaves room for slower readers (a Node capture) and busy machines.
 */
export const DEFAULT_REPLAY_PPS = 20000;

const DEFAULT_EXEC_TIMEOUT_MS = 20_000;
const DEFAULT_SPAWN_MAX_S = 120;
const SETUP_STEP_TIMEOUT_MS = 15_000;
const OUTPUT_CAP = 8 << 20;

// ------------------------------------------------------------------ processes

/** The environment of everything the lab runs: C locale, no NODE_OPTIONS (tap adds its hooks to
 *  every child), no proxies (curl would try one it cannot reach). */
function labEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  for (const k of Object.keys(env)) {
    if (k === 'NODE_OPTIONS' || /^(http|https|ftp|all|no)_proxy$/i.test(k)) delete env[k];
  }
  return { ...env, ...extra };
}

/**
 * Every child is started as the leader of its own process group (`detached`), so a kill reaches
 * what it started too (`timeout` runs its command as a child): otherwise a killed wrapper leaves
 * its command holding our pipes open until it ends by itself.
 */
function killGroup(p: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (p.pid !== undefined) process.kill(-p.pid, signal);
  } catch {
    p.kill(signal);
  }
}

function append(acc: { s: string }, b: Buffer): void {
  if (acc.s.length < OUTPUT_CAP) acc.s += b.toString('utf8');
}

/** Commands of run() not yet finished: on a signal they are killed before the namespaces are
 *  deleted, so a setup step cannot create a namespace after the cleanup. */
const inflight = new Set<ChildProcess>();

/** Runs a command in the current (root) namespace, bounded in time. */
function run(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const p = spawn(cmd, args, { env: labEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    inflight.add(p);
    p.on('exit', () => inflight.delete(p));
    const out = { s: '' };
    const err = { s: '' };
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(p, 'SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS);
    p.stdout.on('data', (b: Buffer) => append(out, b));
    p.stderr.on('data', (b: Buffer) => append(err, b));
    p.on('error', (e) => {
      inflight.delete(p);
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: out.s, stderr: err.s, timedOut, ms: Date.now() - started });
    });
    p.stdin.on('error', () => undefined);
    p.stdin.end(opts.input ?? '');
  });
}

async function must(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const r = await run(cmd, args, { timeoutMs: SETUP_STEP_TIMEOUT_MS, ...opts });
  if (r.code !== 0) {
    const why = r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}`;
    throw new Error(`lab: ${cmd} ${args.join(' ')}: ${why}: ${r.stderr.trim()}`);
  }
  return r;
}

/** `timeout` bounds a process even if this one dies without cleaning up; it passes SIGINT/SIGTERM
 *  on to its command, so tcpdump still writes its statistics. */
function bounded(seconds: number, cmd: string, args: string[]): string[] {
  return ['timeout', '-k', '2', String(Math.max(1, Math.ceil(seconds))), cmd, ...args];
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A background process in a lab namespace. */
export class LabProcess {
  private readonly out = { s: '' };
  private readonly err = { s: '' };
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  /** Resolves when the process has exited and its streams are closed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly command: string,
  ) {
    child.stdout!.on('data', (b: Buffer) => append(this.out, b));
    child.stderr!.on('data', (b: Buffer) => append(this.err, b));
    this.exited = new Promise((resolve) => {
      child.on('error', (e) => {
        append(this.err, Buffer.from(String(e)));
        this.exitInfo = { code: null, signal: null };
        resolve(this.exitInfo);
      });
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
  get stdout(): string {
    return this.out.s;
  }
  get stderr(): string {
    return this.err.s;
  }
  get running(): boolean {
    return this.exitInfo === null;
  }

  /** Waits (bounded) until `pattern` appears on the given stream; rejects if the process exits or
   *  the time runs out first. */
  waitFor(pattern: RegExp, opts: { stream?: 'stdout' | 'stderr'; timeoutMs?: number } = {}): Promise<RegExpExecArray> {
    const stream = opts.stream ?? 'stderr';
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const text = () => (stream === 'stdout' ? this.out.s : this.err.s);
      const pipe = stream === 'stdout' ? this.child.stdout! : this.child.stderr!;
      const check = (): boolean => {
        const m = pattern.exec(text());
        if (!m) return false;
        done();
        resolve(m);
        return true;
      };
      const onData = () => void check();
      const onExit = () => {
        if (check()) return;
        done();
        reject(new Error(`${this.command}: exited before ${pattern}: ${this.err.s.trim()}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.command}: no ${pattern} on ${stream} within ${timeoutMs} ms: ${this.err.s.trim()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        pipe.off('data', onData);
        this.child.off('close', onExit);
      };
      // Listeners are added after ours in the constructor, so the text already holds the chunk.
      pipe.on('data', onData);
      this.child.on('close', onExit);
      if (!check() && this.exitInfo) onExit();
    });
  }

  /** Sends `signal` (to the process alone: `timeout` passes it on once), waits up to `graceMs`
   *  for the exit, then SIGKILLs the whole process group. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.running) return this.exited;
    if (signal === 'SIGKILL') killGroup(this.child, signal);
    else this.child.kill(signal);
    const timer = setTimeout(() => killGroup(this.child, 'SIGKILL'), graceMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

/** A running tcpdump writing a pcap file. */
export class TcpdumpCapture {
  constructor(
    readonly proc: LabProcess,
    readonly file: string,
  ) {}

  /** Stops it with SIGINT (tcpdump flushes and prints its counters) and returns the counters. */
  async stop(): Promise<TcpdumpStats> {
    const r = await this.proc.stop('SIGINT', 5000);
    const err = this.proc.stderr;
    const num = (re: RegExp) => Number(re.exec(err)?.[1] ?? NaN);
    return {
      captured: num(/(\d+) packets? captured/),
      received: num(/(\d+) packets? received by filter/),
      dropped: num(/(\d+) packets? dropped by kernel/),
      code: r.code,
      stderr: err,
    };
  }
}

// ------------------------------------------------------------------ prerequisites

let availability: string | null | undefined;

function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/**
 * null when a lab can be built here, otherwise one line saying why not: not Linux, not root, a
 * missing command, or the kernel refusing a namespace, bridge or veth. Probed once per process.
 */
export function labAvailable(): string | null {
  if (availability !== undefined) return availability;
  availability = probe();
  return availability;
}

function probe(): string | null {
  if (process.platform !== 'linux') return `needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return `needs root for network namespaces (uid ${process.getuid?.()})`;
  const needs: [string, string][] = [
    ['ip', 'iproute2'],
    ['ethtool', 'ethtool'],
    ['tcpdump', 'tcpdump'],
    ['tcpreplay', 'tcpreplay'],
    ['timeout', 'coreutils'],
  ];
  const missing = needs.filter(([cmd]) => !haveCommand(cmd));
  if (missing.length) {
    return `needs ${missing.map(([c]) => c).join(', ')} (apt-get install ${[...new Set(missing.map(([, p]) => p))].join(' ')})`;
  }
  const ns = `${LAB_PREFIX}${process.pid}-probe`;
  const steps: string[][] = [
    ['netns', 'add', ns],
    ['-n', ns, 'link', 'add', 'name', 'probebr', 'type', 'bridge'],
    ['-n', ns, 'link', 'add', 'name', 'probev0', 'type', 'veth', 'peer', 'name', 'probev1'],
  ];
  try {
    for (const s of steps) {
      const r = spawnSync('ip', s, { timeout: SETUP_STEP_TIMEOUT_MS, encoding: 'utf8' });
      if (r.status !== 0) return `cannot build a lab: ip ${s.join(' ')}: ${(r.stderr ?? '').trim() || `exit ${r.status}`}`;
    }
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: SETUP_STEP_TIMEOUT_MS });
  }
  return null;
}

/**
 * The convention for lab tests: true when the lab can run. Otherwise the test skips with one
 * line, except on CI (CI=true), where a missing prerequisite is a failure, never a silent skip.
 */
export function gateLab(t: { fail(message: string): unknown; plan(n: number, comment?: string): unknown }): boolean {
  const reason = labAvailable();
  if (reason === null) return true;
  if (process.env.CI === 'true') t.fail(`${reason} (CI=true: a missing prerequisite fails)`);
  else t.plan(0, `skip: ${reason}`);
  return false;
}

// ------------------------------------------------------------------ namespaces

/** Names of all network namespaces (`ip netns list` prints "name (id: N)"). */
export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: SETUP_STEP_TIMEOUT_MS });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n !== '');
}

/** Kills every process inside `ns` and deletes it (which deletes its veths and bridge). */
function destroyNamespaceSync(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: SETUP_STEP_TIMEOUT_MS }).stdout ?? '';
  for (const p of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: SETUP_STEP_TIMEOUT_MS });
}

/** The pid in a lab name, when it is not ours and no longer runs: the name is a leftover. */
function deadOwner(name: string): boolean {
  const m = /^wsl-(\d+)-/.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  return pid !== process.pid && !pidAlive(pid);
}

/**
 * Removes what killed runs left: namespaces (with what runs in them) and scratch directories
 * named wsl-<pid>-… whose process no longer exists. Labs of test files running now (live pids)
 * are left alone. Returns the namespaces removed.
 */
export function removeLeftovers(): string[] {
  const removed: string[] = [];
  for (const ns of listNamespaces()) {
    if (!deadOwner(ns)) continue;
    destroyNamespaceSync(ns);
    removed.push(ns);
  }
  for (const d of readdirSync(tmpdir())) {
    if (deadOwner(d)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  return removed;
}

// ------------------------------------------------------------------ emergency cleanup

const live = new Set<Lab>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGALRM'];

function teardownAllSync(): void {
  const killed = [...inflight];
  for (const p of killed) killGroup(p, 'SIGKILL');
  waitDeadSync(killed.map((p) => p.pid).filter((pid): pid is number => pid !== undefined), 1000);
  for (const lab of [...live]) lab.destroySync();
}

/** Waits (blocking, bounded) until the processes are gone or zombies: done with their system
 *  calls. Event handlers cannot run here, so nobody reaps them meanwhile. */
function waitDeadSync(pids: number[], maxMs: number): void {
  const tick = new Int32Array(new SharedArrayBuffer(4));
  const t0 = Date.now();
  const running = (pid: number) => {
    try {
      return !/^\d+ \(.*\) [ZX]/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  while (pids.some(running) && Date.now() - t0 < maxMs) Atomics.wait(tick, 0, 0, 10);
}

/** On a signal: remove the labs, then let the signal do what it would have done (tap's own
 *  handler reports a timeout on SIGALRM and re-raises). */
function onSignal(sig: NodeJS.Signals): void {
  teardownAllSync();
  unhook();
  process.kill(process.pid, sig);
}

let hooked = false;
function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', teardownAllSync);
  for (const s of SIGNALS) process.on(s, onSignal);
}
function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', teardownAllSync);
  for (const s of SIGNALS) process.off(s, onSignal);
}

// ------------------------------------------------------------------ the lab

let labSeq = 0;

export class Lab {
  /** wsl-<pid>-<n>: every namespace of this lab starts with it. */
  readonly prefix: string;
  /** Role → namespace name. */
  readonly ns: Record<LabRole, string>;
  readonly roles: LabRole[];
  readonly opts: Required<LabOptions>;
  /** A private directory for captures and scratch files (/tmp/<prefix>), made by start() and
   *  removed at stop(). */
  readonly dir: string;
  private readonly created: string[] = [];
  private readonly procs = new Set<LabProcess>();
  private started = false;

  constructor(opts: LabOptions = {}) {
    this.opts = { hosts: false, resolve: 'static', mtu: 9000, hostMtu: 1500, ...opts };
    this.prefix = `${LAB_PREFIX}${process.pid}-${labSeq++}`;
    this.roles = ['hub', 'sensor', 'player', ...(this.opts.hosts ? (['h1', 'h2'] as const) : [])];
    this.ns = Object.fromEntries((['hub', 'sensor', 'player', 'h1', 'h2'] as const).map((r) => [r, `${this.prefix}-${r}`])) as Record<
      LabRole,
      string
    >;
    this.dir = join(tmpdir(), this.prefix);
  }

  private nsOf(role: LabRole): string {
    if (!this.roles.includes(role)) throw new Error(`lab ${this.prefix} has no ${role} (hosts: ${this.opts.hosts})`);
    return this.ns[role];
  }

  /** Builds the lab. On failure everything built so far is removed and the error rethrown. */
  async start(): Promise<void> {
    if (this.started) throw new Error(`lab ${this.prefix} already started`);
    this.started = true;
    removeLeftovers();
    live.add(this);
    hook();
    try {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir, { mode: 0o700 });
      await this.build();
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  private async build(): Promise<void> {
    const { mtu, hostMtu, resolve } = this.opts;
    const hub = this.ns.hub;
    const hosts = this.roles.filter((r): r is HostRole => r === 'h1' || r === 'h2');
    const attached = this.roles.filter((r): r is Exclude<LabRole, 'hub'> => r !== 'hub');

    // Recorded before they exist, so a failure halfway still removes whatever was made.
    this.created.push(...this.roles.map((r) => this.ns[r]));
    await must('ip', ['-batch', '-'], { input: this.roles.map((r) => `netns add ${this.ns[r]}\n`).join('') });

    // Per-namespace defaults before any interface exists, so every interface is born with them.
    const sysctl: Record<LabRole, string[]> = {
      hub: ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      sensor: ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      player: ['net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      h1: [],
      h2: [],
    };
    const hostSysctl = [
      'all.accept_dad=0', 'default.accept_dad=0', 'all.dad_transmits=0', 'default.dad_transmits=0',
      'all.accept_ra=0', 'default.accept_ra=0', 'all.router_solicitations=0', 'default.router_solicitations=0',
      'default.addr_gen_mode=1', // none: no link-local address, hence no RS
      `all.mldv2_unsolicited_report_interval=${LEARNED_MLD_INTERVAL_MS}`,
      `default.mldv2_unsolicited_report_interval=${LEARNED_MLD_INTERVAL_MS}`,
    ].map((s) => `net.ipv6.conf.${s}`);
    for (const h of hosts) sysctl[h] = hostSysctl;
    // br_netfilter, when loaded, would pass bridged IP through iptables and drop malformed headers
    // (-e: no such keys when it is not loaded).
    const noNetfilter = ['net.bridge.bridge-nf-call-iptables=0', 'net.bridge.bridge-nf-call-ip6tables=0', 'net.bridge.bridge-nf-call-arptables=0'];
    await Promise.all([
      ...this.roles.filter((r) => sysctl[r].length).map((r) => must('ip', ['netns', 'exec', this.ns[r], 'sysctl', '-qw', ...sysctl[r]])),
      must('ip', ['netns', 'exec', hub, 'sysctl', '-qe', '-w', ...noNetfilter]),
    ]);

    const hubBatch: string[] = [
      `link add ${BRIDGE} address ${HUB_MAC} mtu ${mtu} type bridge ageing_time 0 stp_state 0 mcast_snooping 0 mcast_querier 0`,
    ];
    const veths: string[] = [];
    for (const [i, role] of attached.entries()) {
      const a = ATTACH[role];
      const ifMtu = role === 'h1' || role === 'h2' ? hostMtu : mtu;
      // The hub ports' indexes differ from their peers' (2, the first after lo): a veth whose index
      // equals its peer's has its carrier reported late (linkwatch's non-urgent path, up to 1 s).
      veths.push(
        `link add ${a.port} netns ${hub} index ${HUB_PORT_INDEX0 + i} address ${a.portMac} mtu ${mtu} type veth ` +
          `peer name ${a.ifname} netns ${this.ns[role]} address ${a.mac} mtu ${ifMtu}`,
      );
      hubBatch.push(
        `link set ${a.port} master ${BRIDGE}`,
        `link set ${a.port} type bridge_slave learning off flood on mcast_flood on bcast_flood on group_fwd_mask ${PORT_GROUP_FWD_MASK}`,
      );
    }
    await must('ip', ['-batch', '-'], { input: veths.join('\n') + '\n' });
    await must('ip', ['-n', hub, '-batch', '-'], { input: hubBatch.join('\n') + '\n' });
    // A frame to a MAC the bridge owns would go to br0 alone; without these entries it floods.
    const fdb = [
      `fdb del ${HUB_MAC} dev ${BRIDGE} self`,
      ...attached.map((r) => `fdb del ${ATTACH[r].portMac} dev ${ATTACH[r].port} master`),
    ];
    await must('bridge', ['-n', hub, '-batch', '-'], { input: fdb.join('\n') + '\n' });

    const offloads = 'tx off sg off tso off gso off gro off';
    const hubPorts = attached.map((r) => `ethtool -K ${ATTACH[r].port} ${offloads}`).join(' && ');
    await Promise.all([
      must('ip', ['netns', 'exec', hub, 'sh', '-c', hubPorts]),
      ...attached.map((r) => must('ip', ['netns', 'exec', this.ns[r], 'sh', '-c', `ethtool -K ${ATTACH[r].ifname} ${offloads}`])),
    ]);

    for (const h of hosts) {
      const me = HOST_ADDR[h];
      const peer = HOST_ADDR[h === 'h1' ? 'h2' : 'h1'];
      const batch = [
        'link set lo up',
        ...(resolve === 'static' ? [`link set ${HOST_IF} arp off`] : []),
        `addr add ${me.ipv4}/${HOST_PREFIX4} dev ${HOST_IF}`,
        `addr add ${me.ipv6}/${HOST_PREFIX6} dev ${HOST_IF} nodad`,
        `link set ${HOST_IF} up`,
        ...(resolve === 'static'
          ? [
              `neigh replace ${peer.ipv4} lladdr ${peer.mac} dev ${HOST_IF} nud permanent`,
              `neigh replace ${peer.ipv6} lladdr ${peer.mac} dev ${HOST_IF} nud permanent`,
            ]
          : []),
      ];
      await must('ip', ['-n', this.ns[h], '-batch', '-'], { input: batch.join('\n') + '\n' });
    }
    for (const role of ['sensor', 'player'] as const) {
      await must('ip', ['-n', this.ns[role], 'link', 'set', ATTACH[role].ifname, 'up']);
    }
    const up = [...attached.map((r) => `link set ${ATTACH[r].port} up`), `link set ${BRIDGE} up`];
    await must('ip', ['-n', hub, '-batch', '-'], { input: up.join('\n') + '\n' });
    await this.waitForwarding(attached.map((r) => ATTACH[r].port));

    if (hosts.length && resolve === 'learned') await this.settle();
  }

  /**
   * Waits (bounded) until every hub port forwards. The kernel reports a veth's carrier through
   * linkwatch, which may lag up to a second behind `link set up`; until then the bridge keeps the
   * port disabled and a frame sent to it is silently lost.
   */
  private async waitForwarding(ports: string[], maxMs = 5000): Promise<void> {
    const t0 = Date.now();
    let last = '';
    while (Date.now() - t0 < maxMs) {
      const r = await must('bridge', ['-n', this.ns.hub, '-j', 'link', 'show']);
      const states = JSON.parse(r.stdout || '[]') as { ifname: string; state?: string; operstate?: string }[];
      last = states.map((s) => `${s.ifname}:${s.state ?? '?'}`).join(' ');
      if (ports.every((p) => states.some((s) => s.ifname === p && s.state === 'forwarding'))) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`lab ${this.prefix}: hub ports not forwarding within ${maxMs} ms: ${last}`);
  }

  /** Waits (bounded) until e0 has received nothing for a while: the hosts' start-up MLD is over. */
  private async settle(stillMs = 250, maxMs = 5000): Promise<void> {
    const t0 = Date.now();
    let last = -1;
    let since = Date.now();
    while (Date.now() - t0 < maxMs) {
      const n = (await this.nicCounters('sensor', SENSOR_IF))['rx_packets'] ?? 0;
      if (n !== last) {
        last = n;
        since = Date.now();
      } else if (Date.now() - since >= stillMs) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`lab ${this.prefix}: e0 did not fall quiet within ${maxMs} ms`);
  }

  /** Kills what the lab started and deletes its namespaces (with their veths and bridge). */
  async stop(): Promise<void> {
    await Promise.all([...this.procs].map((p) => p.stop('SIGTERM', 1000)));
    this.procs.clear();
    this.destroySync();
  }

  /** The synchronous part of stop(), also run from exit and signal handlers. */
  destroySync(): void {
    for (const p of this.procs) {
      if (p.running) killGroup(p.child, 'SIGKILL');
    }
    for (const ns of this.created.splice(0)) destroyNamespaceSync(ns);
    rmSync(this.dir, { recursive: true, force: true });
    live.delete(this);
    if (live.size === 0) unhook();
  }

  /** Runs `cmd args` in a lab namespace and waits for it (bounded). Never rejects for a nonzero exit. */
  async exec(role: LabRole, cmd: string, args: string[] = [], opts: ExecOptions = {}): Promise<ExecResult> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_EXEC_TIMEOUT_MS;
    return run('ip', ['netns', 'exec', this.nsOf(role), ...bounded(timeoutMs / 1000 + 1, cmd, args)], { ...opts, timeoutMs });
  }

  /** Starts `cmd args` in the background in a lab namespace; stop() kills it if it still runs. */
  spawn(role: LabRole, cmd: string, args: string[] = [], opts: SpawnOptions = {}): LabProcess {
    const child = spawn('ip', ['netns', 'exec', this.nsOf(role), ...bounded(opts.maxSeconds ?? DEFAULT_SPAWN_MAX_S, cmd, args)], {
      env: labEnv(opts.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const p = new LabProcess(child, `${role}: ${cmd} ${args.join(' ')}`);
    this.procs.add(p);
    void p.exited.then(() => this.procs.delete(p));
    return p;
  }

  /**
   * Starts tcpdump on `ifname` in `role`'s namespace writing `file` (pcap, µs), and resolves once it
   * is capturing ("listening on"). Packet-buffered (-U) and in immediate mode, so the file grows
   * as frames arrive; a 32 MiB kernel buffer so a burst does not overrun it. Not -p unless asked.
   */
  async tcpdump(role: LabRole, ifname: string, file: string, opts: TcpdumpOptions = {}): Promise<TcpdumpCapture> {
    const args = ['-Z', 'root', '-n', '-U', '--immediate-mode', '-B', String(opts.bufferKiB ?? 32768), '-i', ifname, '-w', file, ...(opts.args ?? [])];
    const p = this.spawn(role, 'tcpdump', args);
    try {
      await p.waitFor(/listening on /, { timeoutMs: opts.readyTimeoutMs ?? 10_000 });
    } catch (e) {
      await p.stop('SIGKILL');
      throw e;
    }
    return new TcpdumpCapture(p, file);
  }

  /** Replays a capture file from the player namespace into the hub with tcpreplay (preloaded
   *  into memory, at `pps`). Rejects when tcpreplay fails or reports a failed packet. */
  async replay(file: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
    const pps = opts.pps ?? DEFAULT_REPLAY_PPS;
    const rate = pps === 'top' ? ['--topspeed'] : [`--pps=${pps}`];
    const r = await this.exec('player', 'tcpreplay', ['-K', ...rate, '-i', PLAYER_IF, file], { timeoutMs: opts.timeoutMs ?? 30_000 });
    const out = r.stdout + r.stderr;
    const num = (re: RegExp, absent: number) => Number(re.exec(out)?.[1] ?? absent);
    // With nothing sent at all tcpreplay prints no statistics, only a warning per packet.
    const unsent = out.match(/Unable to send packet/g)?.length ?? 0;
    const res: ReplayResult = {
      packets: num(/Actual: (\d+) packets/, 0),
      bytes: num(/Actual: \d+ packets \((\d+) bytes\)/, 0),
      seconds: num(/sent in ([\d.]+) seconds/, 0),
      successful: num(/Successful packets:\s+(\d+)/, 0),
      failed: Math.max(num(/Failed packets:\s+(\d+)/, 0), unsent),
      truncated: num(/Truncated packets:\s+(\d+)/, 0),
      retried: num(/Retried packets \(ENOBUFS\):\s+(\d+)/, 0) + num(/Retried packets \(EAGAIN\):\s+(\d+)/, 0),
      ms: r.ms,
      output: out,
    };
    if (r.code !== 0 || res.failed > 0) {
      const why = r.timedOut ? 'timed out' : `exit ${r.code ?? r.signal}, ${res.failed} failed`;
      throw Object.assign(new Error(`lab: tcpreplay ${file}: ${why}: ${out.trim()}`), { result: res });
    }
    return res;
  }

  /** The interface's promiscuity count (`ip -d link show`): 0 when nothing asked for promiscuous
   *  mode; each promiscuous capture and a bridge port add one. */
  async promiscuity(role: LabRole, ifname: string): Promise<number> {
    const r = await this.exec(role, 'ip', ['-d', 'link', 'show', 'dev', ifname]);
    const m = / promiscuity (\d+)/.exec(r.stdout);
    if (r.code !== 0 || !m) throw new Error(`lab: ip -d link show ${ifname} in ${role}: ${r.stderr.trim() || r.stdout.trim()}`);
    return Number(m[1]);
  }

  /** /sys/class/net/IF/statistics/* of an interface, read inside its namespace (`ip netns exec`
   *  mounts that namespace's /sys). */
  async nicCounters(role: LabRole, ifname: string): Promise<NicCounters> {
    const r = await this.exec(role, 'grep', ['-r', '.', `/sys/class/net/${ifname}/statistics/`]);
    if (r.code !== 0) throw new Error(`lab: counters of ${ifname} in ${role}: ${r.stderr.trim()}`);
    const out: NicCounters = {};
    for (const line of r.stdout.split('\n')) {
      const m = /\/statistics\/(\w+):(\d+)$/.exec(line);
      if (m) out[m[1]!] = Number(m[2]);
    }
    return out;
  }
}

/** The PID of the program a LabProcess runs: `spawn` runs it under `timeout`, whose only child it is. */
export function childPid(p: LabProcess): number {
  const kids = readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'latin1').trim().split(/\s+/).filter(Boolean);
  if (kids.length !== 1) throw new Error(`lab: expected one child of ${p.pid}, found ${kids.join(' ') || 'none'}`);
  return Number(kids[0]);
}

/** Builds a lab, runs `fn` in it and removes the lab, whatever `fn` does. */
export async function withLab<T>(opts: LabOptions, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = new Lab(opts);
  await lab.start();
  try {
    return await fn(lab);
  } finally {
    await lab.stop();
  }
}
