#!/usr/bin/env python3
"""Known sockets for test/host/sockets-lab.test.ts, run inside its network namespaces.

  sockets-lab.py peer              (namespace B) TCP servers on 198.18.1.2:7000 and [2001:db8:1::2]:7000
  sockets-lab.py main DIR          (namespace A) everything else; DIR holds the unix socket files
  sockets-lab.py strange PORT      (exec'ed by main under a hostile argv[0]) a listener on PORT

Every process prints one JSON line when its sockets are in place and then waits until its
standard input closes or LIFETIME seconds pass, so nothing outlives the test by much. Children
get PR_SET_PDEATHSIG(SIGKILL) so they die with their parent. Addresses used: 198.18.0.0/15 and
2001:db8::/32 only; the one SYN that leaves goes to 198.18.1.99 over the lab's own veth.
"""
import ctypes
import json
import os
import select
import signal
import socket
import sys
import time

LIFETIME = 150
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_DUMPABLE = 4
IPPROTO_UDPLITE = 136
ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ICMP6_FILTER = 1

keep = []  # every socket stays open for the process lifetime


def die_with_parent():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def ready(info):
    sys.stdout.write(json.dumps(info) + '\n')
    sys.stdout.flush()


def wait_for_stdin_eof():
    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        r, _, _ = select.select([sys.stdin], [], [], 1.0)
        if r and not os.read(sys.stdin.fileno(), 4096):
            return


def hold_forever_child(fn):
    """Fork a child that runs fn() then sleeps with its parent's lifetime; returns its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent()
            fn()
            time.sleep(LIFETIME)
        finally:
            os._exit(0)
    return pid


def tcp_listen(family, addr, port, v6only=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if v6only is not None:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1 if v6only else 0)
    s.bind((addr, port))
    s.listen(16)
    keep.append(s)
    return s


def tcp_pair(listener, family, dst, port, src=None):
    c = socket.socket(family, socket.SOCK_STREAM)
    if src:
        c.bind((src, 0))
    c.connect((dst, port))
    a, _ = listener.accept()
    keep.extend([c, a])
    return c, a


def peer():
    s4 = tcp_listen(socket.AF_INET, '198.18.1.2', 7000)
    s6 = tcp_listen(socket.AF_INET6, '2001:db8:1::2', 7000, v6only=True)
    ready({'pid': os.getpid()})
    deadline = time.monotonic() + LIFETIME
    while time.monotonic() < deadline:
        r, _, _ = select.select([s4, s6, sys.stdin], [], [], 1.0)
        for x in r:
            if x is sys.stdin:
                if not os.read(sys.stdin.fileno(), 4096):
                    return
            else:
                conn, _ = x.accept()
                keep.append(conn)


def strange(port):
    die_with_parent()
    # comm (what ss and ps show) gets its own control byte; netstat reads argv[0] instead.
    libc.prctl(PR_SET_NAME, b'w\xc3\xa9 \x1b[1mcomm', 0, 0, 0)
    tcp_listen(socket.AF_INET, '198.18.0.1', port)
    a = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    a.bind('\0ws-lab-strange')
    a.listen(1)
    keep.append(a)
    ready({'pid': os.getpid()})
    wait_for_stdin_eof()


def blank_argv_listener():
    """argv[0] overwritten with NULs: /proc/PID/cmdline starts with NUL, netstat shows 'PID/'."""
    st = open('/proc/self/stat').read().rsplit(')', 1)[1].split()
    arg_start, arg_end = int(st[45]), int(st[46])  # fields 48 and 49 of proc(5)
    ctypes.memset(arg_start, 0, arg_end - arg_start)
    tcp_listen(socket.AF_INET, '198.18.0.1', 7778)


def nobody_listener():
    os.setgid(65534)
    os.setuid(65534)
    die_with_parent()  # a change of credentials clears the death signal
    libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # and the dumpable flag: let uid 65534 read our /proc/PID/fd
    tcp_listen(socket.AF_INET, '198.18.0.1', 8888)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.bind(('2001:db8::1', 8888))
    keep.append(u)


def main(tmp):
    info = {'pid': os.getpid()}
    A4, A6 = socket.AF_INET, socket.AF_INET6
    # Listeners: IPv4, IPv6 dual stack, IPv6 only, loopback.
    l4 = tcp_listen(A4, '198.18.0.1', 8080)
    l6 = tcp_listen(A6, '::', 8443, v6only=False)
    l6only = tcp_listen(A6, '2001:db8::1', 9443, v6only=True)
    llong = tcp_listen(A6, '2001:db8:1234:5678:9abc:def0:1234:5678', 65000, v6only=True)
    tcp_listen(A4, '127.0.0.1', 631)
    # Established: v4 in the namespace, v4 into the dual-stack v6 listener (IPv4-mapped),
    # v6, a long v6 address (netstat cuts it without -W), and across the veth to the peer.
    c, _ = tcp_pair(l4, A4, '198.18.0.1', 8080)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)  # a keepalive timer for -o
    tcp_pair(l6, A4, '198.18.0.1', 8443)
    tcp_pair(l6only, A6, '2001:db8::1', 9443)
    tcp_pair(llong, A6, '2001:db8:1234:5678:9abc:def0:1234:5678', 65000, src='2001:db8:1234:5678:9abc:def0:1234:5678')
    for fam, dst in ((A4, '198.18.1.2'), (A6, '2001:db8:1::2')):
        x = socket.socket(fam, socket.SOCK_STREAM)
        x.connect((dst, 7000))
        keep.append(x)
    # FIN_WAIT2 / CLOSE_WAIT: the client shuts its side, the server never closes.
    fc, fa = tcp_pair(l4, A4, '198.18.0.1', 8080)
    fc.shutdown(socket.SHUT_WR)
    # TIME_WAIT: the client closes first, then the server.
    tc, ta = tcp_pair(l4, A4, '198.18.0.1', 8080)
    keep.remove(tc)
    keep.remove(ta)
    tc.close()
    time.sleep(0.05)
    ta.close()
    # SYN_SENT: 198.18.1.99 has a static neighbour entry on the veth and nobody answers.
    ss = socket.socket(A4, socket.SOCK_STREAM)
    ss.setblocking(False)
    try:
        ss.connect(('198.18.1.99', 9))
    except BlockingIOError:
        pass
    keep.append(ss)
    # UDP: bound (netstat counts it as listening), connected, IPv6 of both, UDP-Lite.
    u = socket.socket(A4, socket.SOCK_DGRAM)
    u.bind(('198.18.0.1', 5353))
    uc = socket.socket(A4, socket.SOCK_DGRAM)
    uc.connect(('198.18.0.1', 5353))
    u6 = socket.socket(A6, socket.SOCK_DGRAM)
    u6.bind(('::', 5354))
    u6c = socket.socket(A6, socket.SOCK_DGRAM)
    u6c.connect(('2001:db8::1', 5354))
    ul = socket.socket(A4, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    ul.bind(('198.18.0.1', 6000))
    ul6 = socket.socket(A6, socket.SOCK_DGRAM, IPPROTO_UDPLITE)
    ul6.connect(('2001:db8::1', 6001))
    keep.extend([u, uc, u6, u6c, ul, ul6])
    # Raw: ICMP, ICMPv6, and a connected one on protocol 253 (RFC 3692 experimentation).
    r4 = socket.socket(A4, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    r6 = socket.socket(A6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    # Block every ICMPv6 type (RFC 3542 ICMP6_FILTER): the veth's own neighbour discovery and
    # MLD would otherwise fill its Recv-Q between netstat's run and ours.
    r6.setsockopt(socket.IPPROTO_ICMPV6, ICMP6_FILTER, b'\xff' * 32)
    rc = socket.socket(A4, socket.SOCK_RAW, 253)
    rc.bind(('198.18.0.1', 0))
    rc.connect(('198.18.0.1', 0))
    keep.extend([r4, r6, rc])
    # Packet sockets: all frames on the veth, and cooked IPv4 on every interface.
    p1 = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    p1.bind(('wsa', 0))
    p2 = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
    keep.extend([p1, p2])
    # Unix: a path with a space (netstat prints up to it), abstract with an embedded NUL,
    # a connected stream, a socketpair, a bound datagram socket, a seqpacket listener.
    path = os.path.join(tmp, 'ws lab.sock')
    xs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    xs.bind(path)
    xs.listen(4)
    xc = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    xc.connect(path)
    xa, _ = xs.accept()
    xabs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    xabs.bind('\0ws-lab\0abs')
    xabs.listen(1)
    sp1, sp2 = socket.socketpair()
    xd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    xd.bind(os.path.join(tmp, 'dgram.sock'))
    xq = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    xq.bind(os.path.join(tmp, 'seq.sock'))
    xq.listen(1)
    keep.extend([xs, xc, xa, xabs, sp1, sp2, xd, xq])

    # A child sharing the v4 listener (netstat names the lowest PID, ss lists both).
    info['sharer'] = hold_forever_child(lambda: None)
    info['blank'] = hold_forever_child(blank_argv_listener)
    info['nobody'] = hold_forever_child(nobody_listener)
    # The hostile name: an escape sequence, UTF-8 and spaces in argv[0]; the ESC comes first so
    # it stays inside the 19-byte "PID/name" cell whatever the PID.
    weird = os.path.join(tmp, 'ws lab', '\x1b[31mw\u00e9 \u4e2d name')
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.dup2(w, 1)
        os.execv(sys.executable, [weird, os.path.abspath(__file__), 'strange', '7777'])
    os.close(w)
    line = b''
    deadline = time.monotonic() + 20
    while not line.endswith(b'\n') and time.monotonic() < deadline:
        rr, _, _ = select.select([r], [], [], 1.0)
        if rr:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            line += chunk
    info['strange'] = pid
    info['strange_ready'] = line.decode('utf-8', 'replace').strip()
    time.sleep(0.2)  # the forked children's sockets are bound by now
    ready(info)
    wait_for_stdin_eof()


if __name__ == '__main__':
    mode = sys.argv[1]
    if mode == 'peer':
        peer()
    elif mode == 'main':
        main(sys.argv[2])
    elif mode == 'strange':
        strange(int(sys.argv[2]))
    else:
        sys.exit('unknown mode ' + mode)
