/**
 * `-N NAME`: another network namespace's view. A process sees /proc/net and /sys/class/net of
 * its own namespace, and Node cannot call setns(2), so wirestat runs itself again inside the
 * namespace with `ip netns exec` (which also mounts that namespace's /sys), as `ss -N` would
 * enter it. Needs root (CAP_SYS_ADMIN), as `ss -N` does.
 */
import { spawnSync } from 'node:child_process';
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

/**
 * Runs this same command line inside namespace `name` and returns its exit status. Throws
 * NetnsError (one line, with what to do) when that cannot be done.
 */
export function enterNetns(name: string, script: string, argv: readonly string[]): number {
  const path = join(NETNS_DIR, name);
  if (!existsSync(path)) throw new NetnsError(`network namespace '${name}' not found (${path} does not exist; see 'ip netns list')`);
  if (process.geteuid?.() !== 0) throw new NetnsError(`entering network namespace '${name}' needs root (CAP_SYS_ADMIN), as 'ss -N' does`);
  const r = spawnSync('ip', ['netns', 'exec', name, process.execPath, script, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, [NETNS_ENV]: name },
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NetnsError(`-N needs iproute2's 'ip' command: apt-get install iproute2`);
    throw new NetnsError(`could not run 'ip netns exec ${name}': ${r.error.message}`);
  }
  // Killed by a signal (Ctrl-C during -c): exit as a shell reports it.
  if (r.status === null) return 128 + (r.signal === 'SIGINT' ? 2 : 15);
  return r.status;
}
