/**
 * Which process holds which socket: the inode → owner map net-tools netstat builds for -p
 * (netstat.c prg_cache_load), read from /proc/PID/fd/* links.
 *
 * The rules, as netstat 2.10 applies them (checked against Debian's netstat 2.10 in
 * test/host/sockets-lab.test.ts):
 *  - every /proc entry whose name is all digits is a process; an fd directory that cannot be
 *    opened is skipped, and when the cause is EACCES the listing is marked incomplete;
 *  - an fd link `socket:[INODE]` or `[0000]:INODE` names a socket inode;
 *  - the first process found for an inode keeps it (netstat's cache ignores later ones); /proc
 *    lists processes by ascending PID, so the lowest PID sharing a socket wins;
 *  - the program name is argv[0]: the first NUL-terminated string of the first 511 bytes of
 *    /proc/PID/cmdline, cut after its last '/' when it starts with '/'. There is no fallback to
 *    /proc/PID/comm: a process with an empty argv[0] shows as "PID/". The column prints
 *    "PID/NAME" cut to 19 bytes (see format-sockets.ts).
 *
 * All file access goes through a `ProcFs` so tests can supply their own (EACCES included).
 */
import { readdirSync, readFileSync, readlinkSync, openSync, readSync, closeSync } from 'node:fs';
import { decodeProc } from './sanitize.js';
export const nodeProcFs = {
    readdir: (p) => readdirSync(p),
    readlink: (p) => readlinkSync(p, 'latin1'),
    readFile: (p) => readFileSync(p),
    readHead: (p, max) => {
        const fd = openSync(p, 'r');
        try {
            const buf = Buffer.alloc(max);
            const n = readSync(fd, buf, 0, max, null);
            return buf.subarray(0, n);
        }
        finally {
            closeSync(fd);
        }
    },
};
/** netstat.c: cmdlbuf[512], read(fd, cmdlbuf, sizeof(cmdlbuf) - 1). */
const CMDLINE_READ = 511;
/**
 * strtoul(s, &end, 0) that must consume all of `s`: leading blanks and '+', then 0x… hex,
 * 0… octal or decimal. null when anything is left over or the value is not a safe integer.
 * A '-' (which strtoul would wrap around) is refused.
 */
function strtoulWhole(s) {
    const m = /^[ \t\n\v\f\r]*\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(s);
    if (!m)
        return null;
    const v = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : Number(m[3]);
    return Number.isSafeInteger(v) ? v : null;
}
/**
 * The socket inode an fd link names, or -1 (netstat.c extract_type_1_socket_inode and
 * extract_type_2_socket_inode): `socket:[N]` of at least 11 characters (so netstat never sees
 * an inode below 10 this way) or `[0000]:N`, N as strtoul reads it in base 0.
 */
export function socketInodeOfLink(link) {
    const fast = plainSocketInode(link);
    if (fast >= 0)
        return fast;
    let digits;
    if (link.startsWith(SOCKET_PREFIX) && link.endsWith(']') && link.length >= 11)
        digits = link.slice(SOCKET_PREFIX.length, -1);
    else if (link.startsWith('[0000]:') && link.length >= 8)
        digits = link.slice(7);
    else
        return -1;
    return strtoulWhole(digits) ?? -1;
}
const SOCKET_PREFIX = 'socket:[';
const SOCKET_PREFIX_LEN = SOCKET_PREFIX.length;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Digits of an inode that a double holds exactly, whatever they are (2^53 has 16). */
const EXACT_DIGITS = 15;
/**
 * The kernel's own form, `socket:[N]` with N in plain decimal (no leading zero, no sign), read
 * without a regular expression: -1 for anything else, which `socketInodeOfLink` then reads by
 * the general rule. A listing of 10,000 sockets asks this 10,000 times.
 */
function plainSocketInode(link) {
    const end = link.length - 1;
    if (end - SOCKET_PREFIX_LEN < 2 || end - SOCKET_PREFIX_LEN > EXACT_DIGITS || link.charCodeAt(end) !== 0x5d /* ] */)
        return -1;
    if (!link.startsWith(SOCKET_PREFIX) || link.charCodeAt(SOCKET_PREFIX_LEN) === DIGIT_0)
        return -1;
    let v = 0;
    for (let i = SOCKET_PREFIX_LEN; i < end; i++) {
        const c = link.charCodeAt(i);
        if (c < DIGIT_0 || c > DIGIT_9)
            return -1;
        v = v * 10 + (c - DIGIT_0);
    }
    return v;
}
/** netstat's program name from the head of /proc/PID/cmdline (rules above). */
export function programFromCmdline(head) {
    let arg0 = head.subarray(0, Math.min(head.length, CMDLINE_READ));
    const nul = arg0.indexOf(0);
    if (nul >= 0)
        arg0 = arg0.subarray(0, nul);
    if (arg0.length > 0 && arg0[0] === 0x2f)
        arg0 = arg0.subarray(arg0.lastIndexOf(0x2f) + 1);
    return decodeProc(arg0);
}
function errCode(e) {
    return e && typeof e === 'object' && 'code' in e ? String(e.code) : undefined;
}
/** The inode → owner map over every process under `procRoot` (default /proc). */
export function readSocketOwners(procRoot = '/proc', opts = {}) {
    const fs = opts.fs ?? nodeProcFs;
    const byInode = new Map();
    let complete = true;
    let entries;
    try {
        entries = fs.readdir(procRoot);
    }
    catch {
        return { byInode, complete: false, listed: false };
    }
    const pids = entries.filter((e) => /^[0-9]+$/.test(e)).sort((a, b) => Number(a) - Number(b));
    for (const pidText of pids) {
        const base = `${procRoot}/${pidText}`;
        const fdDir = `${base}/fd/`;
        let fds;
        try {
            fds = fs.readdir(`${base}/fd`);
        }
        catch (e) {
            if (errCode(e) === 'EACCES')
                complete = false;
            continue;
        }
        let owner = null;
        for (const fd of fds) {
            const c = fd.charCodeAt(0);
            if (c < DIGIT_0 || c > DIGIT_9)
                continue;
            let link;
            try {
                link = fs.readlink(fdDir + fd);
            }
            catch {
                continue; // closed since the listing
            }
            const inode = socketInodeOfLink(link);
            if (inode < 0)
                continue;
            if (!owner) {
                let head;
                try {
                    head = fs.readHead(`${base}/cmdline`, CMDLINE_READ);
                }
                catch {
                    continue; // netstat skips the fd when cmdline cannot be read, and tries again on the next
                }
                let exe = null;
                if (opts.exe) {
                    try {
                        exe = decodeProc(Buffer.from(fs.readlink(`${base}/exe`), 'latin1'));
                    }
                    catch {
                        exe = null;
                    }
                }
                owner = { pid: Number(pidText), program: programFromCmdline(head), exe };
            }
            if (!byInode.has(inode))
                byInode.set(inode, owner);
        }
    }
    return { byInode, complete, listed: true };
}
