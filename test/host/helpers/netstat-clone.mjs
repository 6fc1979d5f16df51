// Runs wirestat's socket readers and formatter (built, dist/host) with netstat-style short
// options, for the differential lab: `node netstat-clone.mjs -tuanp` prints what wirestat
// would, `--json` prints the socket view instead. `--numeric-hosts` keeps hosts numeric but
// names ports and users, as netstat's option of that name. `--net-root DIR` reads DIR's tables.
import { readSockets } from '../../../dist/host/sockets.js';
import { bogusLineWarnings, formatSockets, processNotice } from '../../../dist/host/format-sockets.js';
import { defaultFlags } from '../../../dist/host/flags.js';

const flags = defaultFlags();
let json = false;
let numericHosts = false;
let netRoot;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--json') json = true;
  else if (a === '--numeric-hosts') numericHosts = true;
  else if (a === '--net-root') netRoot = args[++i];
  else if (/^-[a-zA-Z0-9]+$/.test(a)) {
    for (const c of a.slice(1)) {
      switch (c) {
        case 'a': flags.all = true; break;
        case 'l': flags.listening = true; break;
        case 't': flags.tcp = true; break;
        case 'u': flags.udp = true; break;
        case 'U': flags.udplite = true; break;
        case 'w': flags.raw = true; break;
        case 'x': flags.unix = true; break;
        case '4': flags.inet4 = true; break;
        case '6': flags.inet6 = true; break;
        case 'n': flags.numeric = true; break;
        case 'p': flags.program = true; break;
        case 'b': flags.executable = true; break;
        case 'e': flags.extend++; break;
        case 'o': flags.timers = true; break;
        case 'W': flags.wide = true; break;
        default: process.stderr.write(`netstat-clone: unknown option -${c}\n`); process.exit(2);
      }
    }
  } else {
    process.stderr.write(`netstat-clone: unknown argument ${a}\n`);
    process.exit(2);
  }
}
const view = readSockets('/proc', flags, { ...(netRoot ? { netRoot } : {}), ...(json ? { owners: true } : {}) });
if (json) {
  process.stdout.write(JSON.stringify(view) + '\n');
} else {
  const resolve = numericHosts ? (_v, _w, numeric) => numeric : undefined;
  const lines = formatSockets(view, flags, resolve);
  process.stdout.write(lines.map((l) => l + '\n').join(''));
  // netstat reads the process table (and says what it could not) before the socket tables.
  const notice = processNotice(view, process.geteuid());
  if (flags.program && notice) process.stderr.write(notice);
  for (const w of bogusLineWarnings(view)) process.stderr.write(w + '\n');
}
for (const e of view.errors) process.stderr.write(`netstat-clone: ${e.source}: ${e.cause}\n`);
