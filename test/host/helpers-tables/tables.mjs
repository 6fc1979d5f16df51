// Prints wirestat's rendering of one netstat table, read from this process's /proc and /sys.
// Run inside a namespace: `ip netns exec NS node tables.mjs KIND [ipv4-source]`, where KIND is
// the netstat arguments joined by underscores (rn, rne, rnee, r, rn6, r6, i, ia, ie, iae, s,
// s_t, s_u, s_w, s_6, g, gn, gn4, gn6). Output is netstat's lines; nothing else.
import { formatIpv4Routes, formatIpv6Routes } from '../../../dist/host/format-routes.js';
import { formatInterfaces } from '../../../dist/host/format-interfaces.js';
import { formatStats, formatStats6, statsSelection } from '../../../dist/host/format-stats.js';
import { formatGroups } from '../../../dist/host/format-groups.js';
import { readRoutes, readNameFiles } from '../../../dist/host/routes.js';
import { readInterfaces } from '../../../dist/host/interfaces.js';
import { readSnmp } from '../../../dist/host/snmp.js';
import { readGroups } from '../../../dist/host/groups.js';

const [kind, ipv4Source = 'auto'] = process.argv.slice(2);
const names = await readNameFiles();
let lines;
const route = /^r(n?)(e*)(6?)$/.exec(kind);
const iface = /^i(a?)(e?)$/.exec(kind);
const group = /^g(n?)([46]?)$/.exec(kind);
if (route) {
  const t = await readRoutes();
  const opts = { numeric: route[1] === 'n', extend: route[2].length, names };
  lines = route[3] ? formatIpv6Routes(t.ipv6.records, opts) : formatIpv4Routes(t.ipv4.records, opts);
} else if (iface) {
  const t = await readInterfaces({ ipv4Source });
  lines = formatInterfaces(t.interfaces, { all: iface[1] === 'a', extend: iface[2] ? 1 : 0 });
} else if (kind.startsWith('s')) {
  const f = new Set(kind.split('_').slice(1));
  const s = await readSnmp();
  const sel = statsSelection({ tcp: f.has('t'), udp: f.has('u'), udplite: f.has('U'), raw: f.has('w') });
  lines = f.has('6') ? formatStats6(s.snmp6, s.snmp, sel) : formatStats(s.snmp, s.netstat, s.sctp, sel);
} else if (group) {
  const g = await readGroups();
  lines = formatGroups([...(g.ipv4?.records ?? []), ...(g.ipv6?.records ?? [])], {
    numeric: group[1] === 'n', inet4: group[2] === '4', inet6: group[2] === '6', names,
  });
} else {
  console.error(`unknown table ${kind}`);
  process.exit(2);
}
process.stdout.write(lines.map((l) => `${l}\n`).join(''));
