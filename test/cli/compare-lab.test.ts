/**
 * `wirestat compare -i e0` in the namespace lab, on a sensor that is also a host (198.18.99.10):
 * it serves HTTP to h1 (a listener explains it), keeps a connection of its own to h2 (its
 * socket explains it), and sends TCP SYNs from its own address through a raw socket (nothing in
 * the socket table explains them); h1 and h2 also talk among themselves (third party). Every
 * conversation must get its label, the explained ones the right PID. The capture written with
 * -w and the host view written beside it, replayed (`compare FILE --host`), label the same. Needs root: skipped with one line otherwise, a failure when CI=true.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { Report } from '../../src/stats/snapshot.js';
import { CLI } from '../helpers/cli.js';
import { childPid, gateLab, HOST_ADDR, SENSOR_IF, withLab } from '../lab/lab.js';

const SENSOR_IP = '198.18.99.10';


/** A TCP SYN from `src` to `dst:port` through a raw socket (the kernel adds the IP header). */
const RAW_SYN = `
import socket, struct, sys, time
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
def csum(b):
    if len(b) % 2: b += b'\\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for i in range(3):
    hdr = struct.pack('!HHIIBBHHH', 40000 + i, port, 1000 + i, 0, 5 << 4, 0x02, 1024, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, socket.IPPROTO_TCP, len(hdr))
    hdr = hdr[:16] + struct.pack('!H', csum(pseudo + hdr)) + hdr[18:]
    s.sendto(hdr, (dst, 0))
    time.sleep(0.05)
print('sent', flush=True)
`;

/** A client that holds its connection open long enough for the per-second socket reads. */
const SLOW_CLIENT = `
import socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
c.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')
time.sleep(2.5)
c.recv(65536)
c.close()
print('done', flush=True)
`;

// The default backend (a tcpdump helper) captures: the lab needs tcpdump itself, so no other gate.
if (gateLab(t)) {
  t.test('explained, unexplained and third party, live and replayed', async (t) => {
    await withLab({ hosts: true, resolve: 'learned' }, async (lab) => {
      const ok = async (role: 'sensor' | 'h1' | 'h2', cmd: string, args: string[]) => {
        const r = await lab.exec(role, cmd, args);
        if (r.code !== 0) throw new Error(`${role}: ${cmd} ${args.join(' ')}: ${r.stderr}`);
      };
      await ok('sensor', 'ip', ['addr', 'add', `${SENSOR_IP}/24`, 'dev', SENSOR_IF]);
      await ok('sensor', 'ip', ['link', 'set', 'lo', 'up']);
      const server = lab.spawn('sensor', 'python3', ['-m', 'http.server', '8080', '--bind', SENSOR_IP], { maxSeconds: 60 });
      const peer = lab.spawn('h2', 'python3', ['-m', 'http.server', '8081', '--bind', HOST_ADDR.h2.ipv4], { maxSeconds: 60 });
      await server.waitFor(/Serving HTTP/, { stream: 'stdout', timeoutMs: 10_000 }).catch(() => new Promise((r) => setTimeout(r, 1000)));
      await new Promise((r) => setTimeout(r, 500));

      const file = join(lab.dir, 'compare.pcap');
      const cmp = lab.spawn('sensor', process.execPath, [CLI, 'compare', '-i', SENSOR_IF, '--duration', '6', '--json', '-w', file], { maxSeconds: 60 });
      await cmp.waitFor(/listening on /, { timeoutMs: 15_000 });

      const client = lab.spawn('sensor', 'python3', ['-c', SLOW_CLIENT, HOST_ADDR.h2.ipv4, '8081'], { maxSeconds: 20 });
      await new Promise((r) => setTimeout(r, 200));
      const clientPid = childPid(client);
      const serverPid = childPid(server);
      await ok('h1', 'curl', ['-s', '-o', '/dev/null', `http://${SENSOR_IP}:8080/`]);
      await ok('h1', 'curl', ['-s', '-o', '/dev/null', `http://${HOST_ADDR.h2.ipv4}:8081/`]);
      await ok('sensor', 'python3', ['-c', RAW_SYN, SENSOR_IP, HOST_ADDR.h2.ipv4, '9999']);
      // A connection to a port nobody listens on: the sensor's kernel answers with a RST.
      const refused = await lab.exec('h1', 'curl', ['-s', '-o', '/dev/null', `http://${SENSOR_IP}:9/`]);
      t.not(refused.code, 0, 'h1 → sensor:9 is refused');
      await client.exited;
      const end = await cmp.exited;
      t.equal(end.code, 0, `compare exits 0 ${cmp.stderr}`);
      await server.stop();
      await peer.stop();

      const rep = JSON.parse(cmp.stdout) as Report;
      const rows = rep.conversations;
      const find = (pred: (c: Report['conversations'][number]) => boolean, what: string) => {
        const r = rows.filter(pred);
        t.ok(r.length > 0, `${what}: found`);
        return r;
      };
      for (const c of find((c) => c.b === `${SENSOR_IP}:8080`, 'h1 → sensor:8080')) {
        t.equal(c.local, 'explained', `${c.a} → ${c.b}: the listener explains it`);
        t.equal(c.pid, serverPid, 'the server\'s PID');
      }
      for (const c of find((c) => c.a.startsWith(`${SENSOR_IP}:`) && c.b === `${HOST_ADDR.h2.ipv4}:8081`, 'sensor → h2:8081')) {
        t.equal(c.local, 'explained', `${c.a} → ${c.b}: its own client's socket explains it`);
        t.equal(c.pid, clientPid, 'the client\'s PID');
      }
      const raw = find((c) => c.b === `${HOST_ADDR.h2.ipv4}:9999`, 'raw SYNs → h2:9999');
      t.ok(raw.every((c) => c.local === 'unexplained' && c.pid === null && c.reason === 'no-socket'), 'the raw-socket SYNs are unexplained: no socket');
      for (const c of find((c) => c.b === `${SENSOR_IP}:9`, 'h1 → sensor:9 (closed)')) {
        t.same([c.local, c.state, c.reason], ['unexplained', 'REJ', 'refused'], `${c.a} → ${c.b}: refused by the sensor's kernel`);
      }
      t.equal(raw.length, 3, 'three forged connections');
      for (const c of find((c) => c.a.startsWith(`${HOST_ADDR.h1.ipv4}:`) && c.b === `${HOST_ADDR.h2.ipv4}:8081`, 'h1 → h2')) {
        t.equal(c.local, 'third-party', `${c.a} → ${c.b}: third party`);
      }
      // None missed: every conversation is labelled, and every one with an end on the sensor is
      // either one of the above or the lab's own neighbour discovery.
      t.ok(rows.every((c) => c.local !== null), 'every conversation labelled');

      // The same capture, written with -w, and the host view written beside it: replayed, the
      // same labels and owners.
      const replay = await lab.exec('sensor', process.execPath, [CLI, 'compare', file, '--host', `${file}.host.json`, '--json']);
      t.equal(replay.code, 0, `compare FILE --host: exit 0 ${replay.stderr}`);
      const again = JSON.parse(replay.stdout) as Report;
      const labels = (r: Report) => r.conversations.map((c) => `${c.proto} ${c.a} ${c.b} ${c.local} ${c.pid}`).sort();
      t.same(labels(again), labels(rep), `replayed: the same ${rows.length} labels`);
      t.same(again.local!.share, rep.local!.share, 'and the same shares');

      // The shares against tshark on the same file with the sensor's addresses.
      const addrs = rep.local!.addresses;
      const filter = addrs.map((a) => (a.includes(':') ? `ipv6.addr == ${a}` : `ip.addr == ${a}`)).join(' or ');
      const ts = spawnSync('tshark', ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-e', 'frame.len'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const lens = ts.stdout.split('\n').filter(Boolean).map(Number);
      t.equal(rep.local!.host.packets, lens.length, `host packets = tshark's for ${addrs.join(' ')} (${lens.length})`);
      t.equal(rep.local!.host.bytes, lens.reduce((x, y) => x + y, 0), "host bytes = tshark's");
      const all = spawnSync('tshark', ['-n', '-r', file, '-T', 'fields', '-e', 'frame.len'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.split('\n').filter(Boolean).length;
      t.equal(rep.local!.share.host_packets, lens.length / all, 'the share of packets');

      // The reconciliation: e0's counters over the capture against the packets captured, and
      // the sensor's stack against what the wire showed of it.
      const k = rep.local!.counters!;
      t.ok(k !== null, 'counters from the first and the last snapshot');
      t.equal(rep.local!.interface, SENSOR_IF, 'the captured interface');
      t.comment(JSON.stringify(k));
      t.equal(k.interface!.rx_packets + k.interface!.tx_packets, k.captured.packets, `e0 counted what was captured (${k.captured.packets})`);
      const rstFromSensor = spawnSync('tshark', ['-n', '-r', file, '-Y', `ip.src == ${SENSOR_IP} && tcp.flags.reset == 1`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
      t.ok(rstFromSensor >= 1, `the sensor sent RSTs (${rstFromSensor})`);
      t.equal(k.tcp.wire.resets_sent, rstFromSensor, "RSTs sent on the wire = tshark's");
      t.equal(k.tcp.kernel.out_rsts, rstFromSensor, 'and = the growth of Tcp OutRsts');
      const tcpFrom = (dir: 'src' | 'dst') =>
        spawnSync('tshark', ['-n', '-r', file, '-Y', `ip.${dir} == ${SENSOR_IP} && tcp`], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
      t.equal(k.tcp.wire.sent, tcpFrom('src'), "TCP segments sent = tshark's");
      t.equal(k.tcp.wire.received, tcpFrom('dst'), "TCP segments received = tshark's");
      // The raw socket's SYNs are on the wire but not in OutSegs: the stack did not send them.
      t.equal(k.tcp.kernel.out_segs, k.tcp.wire.sent - 3, 'OutSegs = the segments sent less the 3 raw SYNs');
      t.equal(k.tcp.kernel.in_segs, k.tcp.wire.received, 'InSegs = the segments received');
      t.same(k.other_interfaces, [], 'nothing by another interface');
      // The host view beside the capture: the first snapshot, changes, and the last.
      const lines = readFileSync(`${file}.host.json`, 'utf8').split('\n').filter(Boolean).length;
      t.ok(lines >= 2, `${lines} snapshot lines beside the capture`);

    });
  });
}
