/**
 * `-N NAME`: another network namespace's view. A process sees /proc/net and /sys/class/net of
 * its own namespace, and Node cannot call setns(2), so wirestat runs itself again inside the
 * namespace with `ip netns exec` (which also mounts that namespace's /sys), as `ss -N` would
 * enter it. Needs root (CAP_SYS_ADMIN), as `ss -N` does.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where iproute2 keeps named namespaces. */
export const NETNS_DIR = '/run/netns';
/** Set in the child's environment: it is already inside, and names the namespace in its output. */
export const NETNS_ENV = 'WIRESTAT_NETNS';

export class NetnsError extends Error {}

/** The namespace this process was started in by `enterNetns`, or null. */
export function currentNetns(): string | null {
  return process.env[NETNS_ENV] || null;
}

/** A name `ip netns` can hold: no path separators, not `.` or `..`. */
export function validNetnsName(name: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(name) && name !== '.' && name !== '..';
}

/**
 * Runs this same command line inside namespace `name` and resolves to its exit status. Signals
 * that end this process (Ctrl-C, kill) are passed on, so the child never outlives it. Rejects
 * with NetnsError (one line, with what to do) when that cannot be done.
 */
export async function enterNetns(name: string, script: string, argv: readonly string[]): Promise<number> {
  if (!validNetnsName(name)) throw new NetnsError(`bad namespace name '${name}'`);
  const path = join(NETNS_DIR, name);
  if (!existsSync(path)) throw new NetnsError(`network namespace '${name}' not found (${path} does not exist; see 'ip netns list')`);
  if (process.geteuid?.() !== 0) throw new NetnsError(`entering network namespace '${name}' needs root (CAP_SYS_ADMIN), as 'ss -N' does`);
  const child = spawn('ip', ['netns', 'exec', name, process.execPath, script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [NETNS_ENV]: name },
  });
  const forward = (sig: NodeJS.Signals): void => void child.kill(sig);
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const sig of signals) process.on(sig, forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') reject(new NetnsError(`-N needs iproute2's 'ip' command: apt-get install iproute2`));
        else reject(new NetnsError(`could not run 'ip netns exec ${name}': ${err.message}`));
      });
      // Killed by a signal: exit as a shell reports it (128 + the signal's number).
      child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 15) : 15)));
    });
  } finally {
    for (const sig of signals) process.off(sig, forward);
  }
}
