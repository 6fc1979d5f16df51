/**
 * The filter oracle: what `tcpdump -r FILE EXPR` (libpcap's compiler and bpf_filter) accepts.
 */
import { spawn } from 'node:child_process';

export const TCPDUMP = process.env.TCPDUMP ?? 'tcpdump';

/** What tcpdump made of one file and expression: a packet count, or its refusal. */
export interface TcpdumpVerdict {
  count: number | null;
  /** tcpdump's complaint (libpcap's compile error), when it refused the expression. */
  error: string | null;
}

function run(args: string[]): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(TCPDUMP, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    p.stdout.on('data', (d: Buffer) => out.push(d));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: err }));
  });
}

/** tcpdump's own lines that are not a verdict. */
function complaint(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l && !l.startsWith('reading from file') && !l.startsWith('Warning'))
    .join(' ');
}

/** `tcpdump --count -r FILE EXPR`: the number of packets the expression accepts. */
export async function tcpdumpCount(file: string, expr: string): Promise<TcpdumpVerdict> {
  const r = await run(['--count', '-r', file, expr]);
  const m = /^(\d+) packets?\b/m.exec(r.stdout.toString());
  if (r.code === 0 && m) return { count: Number(m[1]), error: null };
  return { count: null, error: complaint(r.stderr) || `exit ${r.code}` };
}

/**
 * The accepted records, named by their timestamps' seconds (crafted files number their records
 * so): `tcpdump -r FILE -w - EXPR`, whose output is a little-endian microsecond pcap here.
 */
export async function tcpdumpAccepted(file: string, expr: string): Promise<{ accepted: Set<number> | null; error: string | null }> {
  const r = await run(['-r', file, '-w', '-', expr]);
  if (r.code !== 0) return { accepted: null, error: complaint(r.stderr) || `exit ${r.code}` };
  const b = r.stdout;
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const accepted = new Set<number>();
  const FILE_HEADER = 24;
  const RECORD_HEADER = 16;
  const INCL_LEN = 8;
  for (let o = FILE_HEADER; o + RECORD_HEADER <= b.length; o += RECORD_HEADER + u32(o + INCL_LEN)) accepted.add(u32(o));
  return { accepted, error: null };
}
