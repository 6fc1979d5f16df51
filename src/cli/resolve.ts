/**
 * Host names for `wirestat netstat` without -n: every address is looked up before printing,
 * all at once and bounded in time, so a dead resolver costs at most `timeoutMs`, not seconds
 * per row as it can with netstat. getnameinfo (dns.lookupService) honours /etc/hosts and
 * nsswitch as netstat's gethostbyaddr does; -f asks DNS for the PTR name (fully qualified).
 * Names are cached for the life of the process (-c repeats ask again only for new addresses).
 */
import { promises as dns } from 'node:dns';
import { netstatHostNames, type HostResolver } from '../host/format-sockets.js';

export interface Wanted {
  version: 4 | 6;
  words: readonly number[];
  numeric: string;
}

const cache = new Map<string, string | null>();

function lookup(numeric: string, fqdn: boolean): Promise<string | null> {
  const plain = numeric.replace(/^\[|\]$/g, '');
  // Never rejects: an address nobody can name stays numeric.
  const viaNss = dns.lookupService(plain, 0).then(
    (r) => (r.hostname && r.hostname !== plain ? r.hostname : null),
    () => null,
  );
  if (!fqdn) return viaNss;
  return dns.reverse(plain).then(
    (names) => names[0] ?? viaNss,
    () => viaNss,
  );
}

/** Resolves `wanted` (within `timeoutMs` in all) and returns a resolver answering from the cache. */
export async function resolveAhead(wanted: readonly Wanted[], opts: { fqdn: boolean; timeoutMs: number }): Promise<HostResolver> {
  const todo = wanted.filter((w) => !cache.has(w.numeric) && netstatHostNames(w.version, w.words, w.numeric) === w.numeric);
  if (todo.length > 0) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.timeoutMs);
    });
    const all = Promise.all(
      todo.map((w) =>
        lookup(w.numeric, opts.fqdn).then((name) => {
          cache.set(w.numeric, name);
        }),
      ),
    );
    await Promise.race([all, deadline]);
    clearTimeout(timer);
  }
  return (version, words, numeric) => cache.get(numeric) ?? netstatHostNames(version, words, numeric);
}
