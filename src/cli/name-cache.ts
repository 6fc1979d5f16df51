/**
 * Host names for the dashboard's `n` mode: answers at once from a cache and looks up what it
 * does not have in the background (reverse DNS, as netstat without -n does), so a slow or
 * absent resolver never holds the screen. A name found shows on the next tick's render.
 *
 * Bounded: a few lookups at a time, each with a deadline, and a cache of at most MAX_NAMES
 * addresses (an address that has no name is remembered as such). Nothing is looked up until the
 * screen first asks, that is until the user turns names on.
 */
import { Resolver } from 'node:dns/promises';

const MAX_NAMES = 10_000;
const CONCURRENT = 4;
/** Per lookup, in ms (the resolver's own timeout and a single try). */
const DEADLINE_MS = 2000;

export class NameCache {
  private readonly names = new Map<string, string | null>();
  private readonly queue: string[] = [];
  private running = 0;

  constructor(private readonly reverse: (addr: string) => Promise<string[]> = defaultReverse()) {}

  /** The name of `addr` if known; null now (and a lookup queued) otherwise. Never blocks. */
  host(addr: string): string | null {
    const known = this.names.get(addr);
    if (known !== undefined) return known;
    if (this.names.size >= MAX_NAMES) return null;
    // Remembered as "no name" while in flight, so it is asked once.
    this.names.set(addr, null);
    if (isMac(addr)) return null;
    this.queue.push(addr);
    this.pump();
    return null;
  }

  private pump(): void {
    while (this.running < CONCURRENT && this.queue.length > 0) {
      const addr = this.queue.shift()!;
      this.running++;
      this.reverse(addr)
        .then((names) => {
          if (names.length > 0) this.names.set(addr, names[0]!);
        })
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}

function isMac(addr: string): boolean {
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(addr);
}

function defaultReverse(): (addr: string) => Promise<string[]> {
  const r = new Resolver({ timeout: DEADLINE_MS, tries: 1 });
  return (addr) => r.reverse(addr);
}
