/**
 * A report's conversations as flow records count them: one per direction that carried packets,
 * keyed "src sport dst dport", and the same read back from `nfdump`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Row {
  proto: string;
  a: string;
  b: string;
  a_to_b: { packets: number; bytes: number };
  b_to_a: { packets: number; bytes: number };
}

/** "198.18.0.1:80", "[2001:db8::1]:443", "198.18.0.9" → address and port (0 without one). */
function endpoint(e: string): [string, number] {
  const v6 = /^\[(.+)\]:(\d+)$/.exec(e);
  if (v6) return [v6[1]!, Number(v6[2])];
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d+)$/.exec(e);
  if (v4) return [v4[1]!, Number(v4[2])];
  return [e, 0];
}

/** The report's conversations as one record per direction that carried packets: "src sp dst dp" → [packets, bytes]. */
export function directions(rows: Row[]): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const c of rows) {
    if (c.proto === 'fragment') continue; // no protocol to export (README, "Flow export")
    const [a, ap] = endpoint(c.a);
    const [b, bp] = endpoint(c.b);
    for (const [from, fp, to, tp, n] of [
      [a, ap, b, bp, c.a_to_b],
      [b, bp, a, ap, c.b_to_a],
    ] as const) {
      if (n.packets === 0) continue;
      const key = `${from} ${fp} ${to} ${tp}`;
      const have = out.get(key) ?? [0, 0];
      out.set(key, [have[0] + n.packets, have[1] + n.bytes]);
    }
  }
  return out;
}

/** What nfdump reads from the files of `dir` (nfcapd's), as `directions` keys them. */
export async function nfdumpDirections(dir: string): Promise<Map<string, [number, number]>> {
  const dump = await run('nfdump', ['-R', dir, '-q', '-N', '-o', 'fmt:%sa|%sp|%da|%dp|%pkt|%byt']);
  const got = new Map<string, [number, number]>();
  for (const line of dump.stdout.split('\n')) {
    const f = line.split('|').map((x) => x.trim());
    if (f.length !== 6) continue;
    const key = `${f[0]} ${Number(f[1])} ${f[2]} ${Number(f[3])}`;
    const have = got.get(key) ?? [0, 0];
    got.set(key, [have[0] + Number(f[4]), have[1] + Number(f[5])]);
  }
  return got;
}
