/**
 * Host names for `wirestat netstat` without -n: every address is looked up before printing,
 * all at once and bounded in time, so a dead resolver costs at most `timeoutMs`, not seconds
 * per row as it can with netstat. getnameinfo (dns.lookupService) honours /etc/hosts and
 * nsswitch as netstat's gethostbyaddr does; -f also asks DNS for the PTR name (fully qualified)
 * and prefers it when it arrives in time. Answers are cached for the life of the process, and a
 * lookup still running is never started again (-c with a dead resolver does not pile them up).
 */
import { promises as dns } from 'node:dns';
import { netstatHostNames, type HostResolver } from '../host/format-sockets.js';

export interface Wanted {
  version: 4 | 6;
  words: readonly number[];
  numeric: string;
}

/** What is known of one address: each answer once it arrived (null: none), undefined before. */
interface Lookup {
  nss: string | null | undefined;
  ptr: string | null | undefined;
  settled: Promise<void>;
}

const lookups = new Map<string, Lookup>();

function start(numeric: string, fqdn: boolean): Lookup {
  const key = `${fqdn ? 'f' : 'n'} ${numeric}`;
  const known = lookups.get(key);
  if (known) return known;
  const plain = numeric.replace(/^\[|\]$/g, '');
  const l: Lookup = { nss: undefined, ptr: fqdn ? undefined : null, settled: Promise.resolve() };
  // Neither promise rejects: an address nobody can name stays numeric.
  const nss = dns.lookupService(plain, 0).then(
    (r) => {
      l.nss = r.hostname && r.hostname !== plain ? r.hostname : null;
    },
    () => {
      l.nss = null;
    },
  );
  const ptr = fqdn
    ? dns.reverse(plain).then(
        (names) => {
          l.ptr = names[0] ?? null;
        },
        () => {
          l.ptr = null;
        },
      )
    : Promise.resolve();
  l.settled = Promise.all([nss, ptr]).then(() => undefined);
  lookups.set(key, l);
  return l;
}

/** The name for `l` so far: the PTR name under -f if it came, else the system resolver's. */
function nameOf(l: Lookup): string | null {
  return l.ptr ?? l.nss ?? null;
}

/** Resolves `wanted` (within `timeoutMs` in all) and returns a resolver answering from what came. */
export async function resolveAhead(wanted: readonly Wanted[], opts: { fqdn: boolean; timeoutMs: number }): Promise<HostResolver> {
  const mine = new Map<string, Lookup>();
  for (const w of wanted) {
    // The unspecified addresses keep netstat's own forms ([::], 0.0.0.0) without a lookup.
    if (netstatHostNames(w.version, w.words, w.numeric) !== w.numeric) continue;
    mine.set(w.numeric, start(w.numeric, opts.fqdn));
  }
  if (mine.size > 0) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.timeoutMs);
    });
    await Promise.race([Promise.all([...mine.values()].map((l) => l.settled)), deadline]);
    clearTimeout(timer);
  }
  return (version, words, numeric) => {
    const l = mine.get(numeric);
    return (l && nameOf(l)) ?? netstatHostNames(version, words, numeric);
  };
}
