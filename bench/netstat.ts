/**
 * `wirestat netstat -tuanp` against net-tools `netstat -tuanp` with 10,000 sockets open, in a
 * network namespace of its own (so the host's sockets do not count): a listener on
 * 198.18.99.1 and 5,000 loopback connections to it (client and server ends: 10,000 sockets),
 * held open by one python3 process. Needs root; otherwise says so and measures nothing.
 */
import { spawn, spawnSync } from 'node:child_process';

const CONNECTIONS = Number(process.env.BENCH_SOCKETS ?? 10_000) / 2;
const RUNS = Math.max(3, Number(process.env.BENCH_RUNS ?? 5));

/** Opens the connections, prints "ready", then holds them until stdin closes. */
const HOLDER = `
import resource, socket, sys
n = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (2 * n + 100, 2 * n + 100))
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("198.18.99.1", 8080)); ls.listen(n)
held = []
for i in range(n):
    c = socket.create_connection(("198.18.99.1", 8080), timeout=5)
    s, _ = ls.accept()
    held += [c, s]
print("ready", len(held), flush=True)
sys.stdin.read()
`;

export interface NetstatBench {
  sockets: number;
  wirestat: number[];
  netstat: number[];
}

function sh(cmd: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr?.toString().trim()}`);
}

/** Wall seconds of one run of `cmd` inside namespace `ns`, output discarded. */
function timed(ns: string, cmd: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('ip', ['netns', 'exec', ns, ...cmd], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${r.stderr.toString().slice(-300)}`);
  return s;
}

export async function benchNetstat(cli: string): Promise<NetstatBench | string> {
  if (process.geteuid?.() !== 0) return 'skipped: needs root for a network namespace';
  const ns = `ws-bench-${process.pid}`;
  sh(['ip', 'netns', 'add', ns]);
  let holder: ReturnType<typeof spawn> | null = null;
  try {
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', '198.18.99.1/32', 'dev', 'lo']);
    holder = spawn('ip', ['netns', 'exec', ns, 'python3', '-c', HOLDER, String(CONNECTIONS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket holder did not get ready in 60 s')), 60_000);
      holder!.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      holder!.on('exit', (code) => reject(new Error(`socket holder exited (${code})`)));
    });
    const out: NetstatBench = { sockets: 2 * CONNECTIONS + 1, wirestat: [], netstat: [] };
    // Interleaved, so a slow minute hurts both alike.
    for (let i = 0; i < RUNS; i++) {
      out.netstat.push(timed(ns, ['netstat', '-tuanp']));
      out.wirestat.push(timed(ns, [process.execPath, cli, 'netstat', '-tuanp']));
    }
    return out;
  } finally {
    holder?.stdin?.end();
    holder?.kill();
    spawnSync('ip', ['netns', 'del', ns]);
  }
}
