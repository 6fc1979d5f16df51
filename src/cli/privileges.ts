/**
 * `-Z USER`: give up root once the capture is open, as tcpdump -Z does. The capture socket
 * stays usable (it is already open); everything after it, output files included, runs as USER.
 *
 * Order matters (setgroups and setgid need root, so they come before setuid): supplementary
 * groups to USER's, then the primary group, then the user. Moving every uid away from 0 makes
 * the kernel clear the permitted and effective capability sets (capabilities(7), "Effect of user
 * ID changes on capabilities"), so CapEff in /proc/self/status reads 0 afterwards; Node's
 * setuid() goes through glibc, which applies it to every thread of the process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class PrivilegeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrivilegeError';
  }
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
}

/** getpwnam over passwd(5) text: the first line whose name (or numeric uid) is `user`. */
export function findAccount(passwd: string, user: string): Account | null {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    if (f[0] === user || (/^[0-9]+$/.test(user) && uid === Number(user))) return { name: f[0]!, uid, gid };
  }
  return null;
}

/** initgroups(3) over group(5) text: `gid` plus every group that lists `user` as a member. */
export function groupsOf(group: string, user: string, gid: number): number[] {
  const out = [gid];
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f.length < 4) continue;
    const g = Number(f[2]);
    if (Number.isInteger(g) && !out.includes(g) && f[3]!.split(',').includes(user)) out.push(g);
  }
  return out;
}

/** A reading of /proc/self/status: the real/effective uids and the effective capability set. */
export function credentials(procRoot = '/proc'): { uid: number; euid: number; capEff: bigint } | null {
  try {
    const status = readFileSync(join(procRoot, 'self/status'), 'latin1');
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    const cap = /^CapEff:\s+([0-9a-f]+)/m.exec(status);
    if (!uids || !cap) return null;
    return { uid: Number(uids[1]), euid: Number(uids[2]), capEff: BigInt(`0x${cap[1]}`) };
  } catch {
    return null;
  }
}

/** `user`'s account from passwd(5) under `etcRoot`. Throws PrivilegeError (one line) when there is none. */
export function lookupAccount(user: string, etcRoot = '/etc'): Account {
  let passwd: string;
  try {
    passwd = readFileSync(join(etcRoot, 'passwd'), 'utf8');
  } catch (err) {
    throw new PrivilegeError(`-Z ${user}: cannot read ${join(etcRoot, 'passwd')} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const acct = findAccount(passwd, user);
  if (acct === null) throw new PrivilegeError(`-Z ${user}: no such user`);
  return acct;
}

/** Becomes `user` for good. Throws PrivilegeError (one line) when that is not possible. */
export function dropPrivileges(user: string, etcRoot = '/etc', procRoot = '/proc'): Account {
  const acct = lookupAccount(user, etcRoot);
  if (process.geteuid?.() !== 0) throw new PrivilegeError(`-Z ${user}: only root can change user (running as uid ${process.geteuid?.()})`);
  let group = '';
  try {
    group = readFileSync(join(etcRoot, 'group'), 'utf8');
  } catch {
    // No group database: the primary group alone.
  }
  try {
    // As initgroups(3): USER's supplementary groups plus its primary one, none of root's.
    process.setgroups!(groupsOf(group, acct.name, acct.gid));
    process.setgid!(acct.gid);
    process.setuid!(acct.uid);
  } catch (err) {
    throw new PrivilegeError(`-Z ${user}: ${(err as Error).message}`);
  }
  const c = credentials(procRoot);
  // Refuse to go on half-dropped: a capture that claims -Z must not run with root's powers.
  if (acct.uid !== 0 && (c === null || c.uid === 0 || c.euid === 0 || c.capEff !== 0n)) {
    throw new PrivilegeError(`-Z ${user}: privileges are still held after the change (CapEff ${c?.capEff.toString(16) ?? 'unknown'})`);
  }
  return acct;
}
