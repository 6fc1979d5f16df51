/**
 * The /proc/net parsers, the socket-owner scan and the text sanitiser.
 *
 * Truth for the parsers is netstat's own reading of the same bytes: fixtures/host/lab/net/* were
 * copied from a live namespace in the same second as lab/netstat-anWe.txt was printed, so every
 * parsed record must be one of netstat's rows (protocol, addresses, state, uid, inode) and the
 * other way round. Malformed lines are skipped with their line numbers and never throw.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defaultFlags } from '../../src/host/flags.js';
import { netstatNumericHost } from '../../src/host/format-sockets.js';
import { parseInetTable, parsePacketTable, parseUnixTable, type InetProto, type ProcAddress } from '../../src/host/procnet.js';
import { programFromCmdline, readSocketOwners, socketInodeOfLink, type ProcFs } from '../../src/host/processes.js';
import { byteLength, decodeProc, encodeProc, padBytes, printable, sliceBytes } from '../../src/host/sanitize.js';
import { readSockets } from '../../src/host/sockets.js';
import { ROOT } from '../helpers/cli.js';

const NET = join(ROOT, 'fixtures/host/lab/net');
const read = (f: string): string => readFileSync(join(NET, f), 'latin1');

/** netstat -anWe rows as comparable keys: proto local remote state uid inode. */
function netstatRows(): Set<string> {
  const rows = new Set<string>();
  for (const line of readFileSync(join(ROOT, 'fixtures/host/lab/netstat-anWe.txt'), 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^(tcp|udp|raw)/.test(f[0] ?? '')) continue;
    // udp rows have an empty State column: 8 fields instead of 9.
    const [proto, , , local, remote] = f as [string, string, string, string, string];
    const rest = f.slice(5);
    const [state, uid, inode] = rest.length === 3 ? rest : ['', rest[0], rest[1]];
    rows.add([proto, local, remote, state, uid, inode].join(' '));
  }
  return rows;
}

const STATE: Record<number, string> = { 1: 'ESTABLISHED', 2: 'SYN_SENT', 5: 'FIN_WAIT2', 6: 'TIME_WAIT', 7: 'CLOSE', 8: 'CLOSE_WAIT', 10: 'LISTEN' };

function end(a: ProcAddress): string {
  return `${netstatNumericHost(a.version, a.words)}:${a.port === 0 ? '*' : a.port}`;
}

t.test('inet tables: every record is one of netstat\'s rows and back', async (t) => {
  const want = netstatRows();
  const got = new Set<string>();
  const files: [string, InetProto][] = [
    ['tcp', 'tcp'], ['tcp6', 'tcp6'], ['udp', 'udp'], ['udp6', 'udp6'], ['udplite', 'udpl'], ['udplite6', 'udpl6'], ['raw', 'raw'], ['raw6', 'raw6'],
  ];
  for (const [file, proto] of files) {
    const text = read(file);
    const p = parseInetTable(text, proto);
    t.same(p.malformed, [], `${file}: no malformed line`);
    t.equal(p.records.length, text.trim().split('\n').length - 1, `${file}: one record per line after the header`);
    for (const r of p.records) {
      const state = proto.startsWith('tcp') ? STATE[r.state]! : proto.startsWith('raw') ? String(r.state) : r.state === 1 ? 'ESTABLISHED' : '';
      got.add([proto, end(r.local), end(r.remote), state, r.uid, r.inode].join(' '));
    }
  }
  t.equal(got.size, want.size, `${want.size} rows`);
  t.same([...got].filter((k) => !want.has(k)), [], 'nothing parsed that netstat did not show');
  t.same([...want].filter((k) => !got.has(k)), [], 'nothing netstat showed that was not parsed');
});

t.test('addresses: little-endian words to network order', async (t) => {
  const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const v4 = parseInetTable(`${hdr}   0: 010012C6:1F90 0100007F:0277 01 0000000A:00000014 02:000AFC4F 0000000B 65534        3 888015 3 0000000000000000 20 0 0 10 -1\n`, 'tcp');
  const r = v4.records[0]!;
  t.same(r.local, { version: 4, words: [0xc6120001, 0, 0, 0], port: 8080 }, '198.18.0.1:8080');
  t.same(r.remote, { version: 4, words: [0x7f000001, 0, 0, 0], port: 631 }, '127.0.0.1:631');
  t.match(r, { state: 1, txQueue: 10, rxQueue: 20, timerActive: 2, timerWhen: 0xafc4f, retransmits: 11, uid: 65534, timeout: 3, inode: 888015, line: 2 });
  const v6 = parseInetTable(
    `${hdr}   0: 0000000000000000FFFF0000010012C6:20FB B80D012078563412F0DEBC9A78563412:0016 01 00000000:00000000 00:00000000 00000000     0        0 5 1\n`,
    'tcp6',
  ).records[0]!;
  t.same(v6.local.words, [0, 0, 0x0000ffff, 0xc6120001], '::ffff:198.18.0.1');
  t.same(v6.remote.words, [0x20010db8, 0x12345678, 0x9abcdef0, 0x12345678], '2001:db8:1234:5678:9abc:def0:1234:5678');
  t.equal(netstatNumericHost(6, v6.remote.words), '2001:db8:1234:5678:9abc:def0:1234:5678');
  const be = parseInetTable(`${hdr}   0: 20010DB8000000000000000000000001:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1\n`, 'tcp6', {
    littleEndian: false,
  }).records[0]!;
  t.same(be.local.words, [0x20010db8, 0, 0, 1], 'a big-endian host prints words in network order');
});

t.test('malformed lines are skipped with their line numbers, never thrown', async (t) => {
  const hdr = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const good = '   0: 010012C6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 888010 1';
  const bad = [
    'garbage',
    '   1: 010012C6:1F90',
    '   2: 010012C6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0',
    '   3: 0100ZZC6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
    '   4: 010012C6:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1',
    '   5: 010012C600:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
    '   6: 010012C6:11F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
    '   7: 010012C6:1F90 00000000:0000 0A 0000000000000000 00:00000000 00000000     0        0 1',
    '   8: 010012C6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12x',
    '   9  010012C6:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1',
    '',
  ];
  const p = parseInetTable(hdr + [good, ...bad, good].join('\n') + '\n', 'tcp');
  t.equal(p.records.length, 2);
  t.same(p.records.map((r) => r.line), [2, 14]);
  t.same(p.malformed.map((m) => m.line), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  t.equal(p.malformed[0]!.text, 'garbage');

  // Noise and cut or mutated real lines: parsed or reported, every one.
  const real = read('tcp6').split('\n')[1]!;
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const lines: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const k = rnd(3);
    if (k === 0) lines.push(real.slice(0, rnd(real.length)));
    else if (k === 1) {
      const at = rnd(real.length);
      lines.push(real.slice(0, at) + String.fromCharCode(rnd(128)) + real.slice(at + 1));
    } else lines.push(Array.from({ length: rnd(80) }, () => String.fromCharCode(rnd(256))).join('').replace(/\n/g, ' '));
  }
  for (const [fn, name] of [
    [(s: string) => parseInetTable(s, 'tcp6'), 'inet'],
    [(s: string) => parseUnixTable(s), 'unix'],
    [(s: string) => parsePacketTable(s), 'packet'],
  ] as const) {
    const r = fn('header\n' + lines.join('\n') + '\n');
    t.equal(r.records.length + r.malformed.length, lines.length, `${name}: every line parsed or reported`);
  }
});

t.test('unix table', async (t) => {
  const p = parseUnixTable(read('unix'));
  t.same(p.malformed, []);
  const byPath = new Map(p.records.map((r) => [r.path, r]));
  t.match(byPath.get('/tmp/wslab/ws lab.sock'), { refCount: 2, protocol: 0, flags: 1 << 16, type: 1, state: 1 }, 'a path with a space, whole');
  t.ok(byPath.has('@ws-lab@abs'), 'abstract name with its NUL as @');
  t.ok(p.records.some((r) => r.path === null && r.state === 3), 'socketpair ends have no path');
  const hdr = 'Num       RefCount Protocol Flags    Type St Inode Path\n';
  const q = parseUnixTable(`${hdr}0000000000000000: 0000001F 00000000 00010000 0005 01  1234 @a b\nnot a line\n0000000000000000: 00000002 00000000 00000000 0002 01 99999999\n`);
  t.match(q.records[0], { refCount: 31, type: 5, inode: 1234, path: '@a b', line: 2 });
  t.match(q.records[1], { inode: 99999999, path: null, line: 4 });
  t.same(q.malformed, [{ line: 3, text: 'not a line' }]);
});

t.test('packet table', async (t) => {
  const p = parsePacketTable(read('packet'));
  t.same(p.malformed, []);
  t.match(p.records, [
    { type: 3, protocol: 0x0003, ifindex: 2, running: true, uid: 0 },
    { type: 2, protocol: 0x0800, ifindex: 0, running: true, uid: 0 },
  ]);
  t.same(parsePacketTable('sk RefCnt Type Proto  Iface R Rmem   User   Inode\nffff 3 3 zz 2 1 0 0 1\n').malformed, [{ line: 2, text: 'ffff 3 3 zz 2 1 0 0 1' }]);
});

t.test('readSockets: an unreadable table is an error, the rest is returned', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ws-procnet-'));
  writeFileSync(join(dir, 'tcp'), read('tcp') + 'garbage\n');
  const flags = { ...defaultFlags(), tcp: true, all: true };
  const v = readSockets('/nonexistent', flags, { netRoot: dir });
  t.same(v.errors.map((e) => [e.source, e.cause]), [
    [join(dir, 'tcp6'), 'ENOENT'],
    [join(dir, 'packet'), 'ENOENT'],
  ]);
  t.equal(v.sockets.length, read('tcp').trim().split('\n').length - 1);
  t.same(v.malformed, [{ source: join(dir, 'tcp'), line: read('tcp').trim().split('\n').length + 1, text: 'garbage' }]);
  t.equal(v.processesRead, false);
  t.match(v.sockets[0], { proto: 'tcp', local: '198.18.0.1:8888', remote: '0.0.0.0:0', state: 'LISTEN', listening: true, uid: 65534, pid: null });
});

/** A /proc made of plain objects: pid → { cmdline, fds (name → link), exe } or 'EACCES'. */
function fakeProc(procs: Record<string, { cmdline: string | Buffer; fds: Record<string, string>; exe?: string } | 'EACCES'>): ProcFs {
  const fail = (code: string): never => {
    throw Object.assign(new Error(code), { code });
  };
  return {
    readdir: (p) => {
      if (p === '/p') return ['self', ...Object.keys(procs)];
      const m = /^\/p\/(\w+)\/fd$/.exec(p);
      const e = m ? procs[m[1]!] : undefined;
      if (e === 'EACCES') return fail('EACCES');
      return e ? Object.keys(e.fds) : fail('ENOENT');
    },
    readlink: (p) => {
      const m = /^\/p\/(\w+)\/(fd\/(\w+)|exe)$/.exec(p);
      const e = m ? procs[m[1]!] : undefined;
      if (!e || e === 'EACCES') return fail('ENOENT');
      if (m![2] === 'exe') return e.exe ?? fail('EACCES');
      return e.fds[m![3]!] ?? fail('ENOENT');
    },
    readFile: () => fail('ENOENT'),
    readHead: (p, max) => {
      const m = /^\/p\/(\w+)\/cmdline$/.exec(p);
      const e = m ? procs[m[1]!] : undefined;
      if (!e || e === 'EACCES') return fail('ENOENT');
      return Buffer.from(e.cmdline).subarray(0, max);
    },
  };
}

t.test('socket owners', async (t) => {
  const fs = fakeProc({
    '100': { cmdline: '/usr/bin/server\0-x\0', fds: { '3': 'socket:[5000]', '4': 'socket:[5001]' }, exe: '/usr/bin/server' },
    '20': { cmdline: 'child\0', fds: { '5': 'socket:[5000]' } },
    '30': 'EACCES',
    '40': { cmdline: Buffer.from([0x2f, 0x78, 0x2f, 0xff, 0x41, 0]), fds: { '1': '[0000]:5002', x: 'socket:[5003]' } },
  });
  const o = readSocketOwners('/p', { fs, exe: true });
  t.equal(o.complete, false, 'EACCES on one fd directory');
  t.equal(o.listed, true);
  t.match(o.byInode.get(5000), { pid: 20, program: 'child' }, 'lowest PID wins, as /proc lists them');
  t.match(o.byInode.get(5001), { pid: 100, program: 'server', exe: '/usr/bin/server' });
  t.equal(printable(o.byInode.get(5002)!.program), '\\xffA', 'an undecodable byte survives as an escape');
  t.equal(o.byInode.get(5003), undefined, 'fd names must start with a digit');
  t.same(readSocketOwners('/nowhere', { fs }), { byInode: new Map(), complete: false, listed: false });

  t.equal(socketInodeOfLink('socket:[888015]'), 888015);
  t.equal(socketInodeOfLink('socket:[9]'), -1, 'under 11 characters');
  t.equal(socketInodeOfLink('socket:[0x3F7]'), 1015);
  t.equal(socketInodeOfLink('socket:[01771]'), 1017);
  t.equal(socketInodeOfLink('[0000]:12345'), 12345);
  t.equal(socketInodeOfLink('socket:[12a]'), -1);
  t.equal(socketInodeOfLink('pipe:[12345]'), -1);
  t.equal(socketInodeOfLink('anon_inode:[eventpoll]'), -1);
  t.equal(socketInodeOfLink('socket:[10]'), 10, 'the shortest the kernel form allows');
  t.equal(socketInodeOfLink('socket:[ 42]'), 42, 'blanks before the number, as strtoul skips them');
  t.equal(socketInodeOfLink('socket:[+42]'), 42);
  t.equal(socketInodeOfLink('socket:[-42]'), -1, 'no sign but +');
  t.equal(socketInodeOfLink('socket:[4294967296]'), 4294967296, 'inodes are not cut to 32 bits');
  t.equal(socketInodeOfLink('socket:[123456789012345678]'), -1, 'beyond what a double holds exactly');
  t.equal(socketInodeOfLink('socket:[42'), -1, 'unclosed');

  t.equal(programFromCmdline(Buffer.from('/usr/sbin/sshd\0-D\0')), 'sshd');
  t.equal(programFromCmdline(Buffer.from('sshd: root@pts/0')), 'sshd: root@pts/0');
  t.equal(programFromCmdline(Buffer.from('/usr/bin/\0')), '');
  t.equal(programFromCmdline(Buffer.from('\0/x\0')), '');
  t.equal(programFromCmdline(Buffer.concat([Buffer.from('/'), Buffer.alloc(520, 'a'), Buffer.from('/b')])), 'a'.repeat(510), 'only 511 bytes are read');
});

t.test('sanitize: bytes survive, controls show', async (t) => {
  let seed = 99;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 24;
  };
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(Array.from({ length: 1 + (rnd() % 40) }, rnd));
    const s = decodeProc(b);
    if (!encodeProc(s).equals(b)) t.fail(`round trip of ${b.toString('hex')}`);
    if (byteLength(s) !== b.length) t.fail(`byte length of ${b.toString('hex')}`);
    if (/[\x00-\x1f\x7f-\x9f]/.test(printable(s))) t.fail(`a control survives in ${b.toString('hex')}`);
  }
  t.equal(decodeProc(Buffer.from('wé 中 😀')), 'wé 中 😀', 'valid UTF-8 decodes as UTF-8');
  t.equal(printable('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m');
  t.equal(printable('a\tb\nc\x7f\x00'), 'a\\x09b\\x0ac\\x7f\\x00');
  t.equal(printable('\u009b2J'), '\\u009b2J', 'C1 CSI');
  t.equal(printable('abc\u202edef'), 'abc\\u202edef', 'bidi override');
  t.equal(printable('😀 ok'), '😀 ok');
  t.equal(printable(decodeProc(Buffer.from([0x41, 0xc3, 0x28]))), 'A\\xc3(', 'invalid sequence');
  t.equal(printable(decodeProc(Buffer.from([0xed, 0xa0, 0x80]))), '\\xed\\xa0\\x80', 'encoded surrogate is invalid UTF-8');
  t.equal(sliceBytes('中文', 4), '中\udce6');
  t.equal(padBytes('jöhn', 10), 'jöhn     ', 'padding counts bytes, as printf');
});
