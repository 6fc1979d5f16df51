/**
 * The dashboard's host-name cache: never blocks (null until a lookup answers), asks each
 * address once, at most four at a time, remembers addresses without a name, never asks for a MAC.
 */
import t from 'tap';
import { NameCache } from '../../src/cli/name-cache.js';

t.test('answers from the cache, looks up in the background, bounded', async (t) => {
  const asked: string[] = [];
  let inFlight = 0;
  let most = 0;
  const pending: (() => void)[] = [];
  const cache = new NameCache((addr) => {
    asked.push(addr);
    inFlight++;
    most = Math.max(most, inFlight);
    return new Promise((resolve, reject) => {
      pending.push(() => {
        inFlight--;
        if (addr === '198.18.0.9') reject(new Error('ENOTFOUND'));
        else resolve(addr === '198.18.0.8' ? [] : [`host-${addr.split('.').pop()}.example`]);
      });
    });
  });
  const addrs = ['198.18.0.1', '198.18.0.2', '198.18.0.3', '198.18.0.4', '198.18.0.5', '198.18.0.8', '198.18.0.9'];
  for (const a of addrs) t.equal(cache.host(a), null, `${a}: null at first`);
  t.equal(cache.host('198.18.0.1'), null, 'asked again: still null, not asked twice');
  t.equal(cache.host('02:00:00:00:00:01'), null, 'a MAC is never looked up');
  t.equal(asked.length, 4, 'four lookups at a time');
  while (pending.length > 0) {
    pending.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  t.equal(most, 4);
  t.same(asked, addrs, 'each address asked once, in order');
  t.equal(cache.host('198.18.0.1'), 'host-1.example');
  t.equal(cache.host('198.18.0.8'), null, 'no name: remembered as none');
  t.equal(cache.host('198.18.0.9'), null, 'a failed lookup: none');
  t.equal(asked.length, addrs.length, 'nothing asked again');
});
