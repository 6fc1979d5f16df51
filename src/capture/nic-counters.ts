/**
 * An interface's own counters, from /sys/class/net/IF/statistics (the numbers `ip -s link`
 * prints): what the NIC received and dropped, beside what the capture got. `cap` reports no
 * pcap_stats, so these are how a live report shows capture loss.
 *
 * The counters are the kernel's since the interface was created: a capture keeps the first
 * reading and reports the growth. They wrap only as unsigned 64-bit values; read as doubles they
 * stay exact up to 2^53 packets.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The statistics files read, by the names the kernel gives them. */
export const NIC_COUNTERS = ['rx_packets', 'rx_bytes', 'rx_dropped', 'rx_missed_errors', 'rx_fifo_errors', 'tx_packets'] as const;
export type NicCounterName = (typeof NIC_COUNTERS)[number];
export type NicCounters = Record<NicCounterName, number>;

/**
 * One reading of `device`'s counters under `sysRoot` (normally /sys), or null when the interface
 * has no statistics directory (the `any` pseudo-device, an interface that went away).
 * A counter a driver does not provide reads as 0.
 */
export function readNicCounters(sysRoot: string, device: string): NicCounters | null {
  // An interface name cannot hold a slash; refusing one keeps the path inside statistics/.
  if (device.includes('/') || device === '.' || device === '..') return null;
  const dir = join(sysRoot, 'class/net', device, 'statistics');
  const out = {} as NicCounters;
  let any = false;
  for (const name of NIC_COUNTERS) {
    let v = 0;
    try {
      const n = Number(readFileSync(join(dir, name), 'latin1').trim());
      if (Number.isFinite(n) && n >= 0) {
        v = n;
        any = true;
      }
    } catch {
      // Absent for this driver: 0.
    }
    out[name] = v;
  }
  return any ? out : null;
}

/** `later - earlier`, per counter; a counter that went down (interface re-created) counts from 0. */
export function counterGrowth(earlier: NicCounters, later: NicCounters): NicCounters {
  const out = {} as NicCounters;
  for (const name of NIC_COUNTERS) {
    const d = later[name] - earlier[name];
    out[name] = d >= 0 ? d : later[name];
  }
  return out;
}

/**
 * Packets the interface handled that the capture did not get: received plus sent (libpcap sees
 * both directions) minus captured, never below 0. Only meaningful without a capture filter
 * (a filter drops packets on purpose), hence null then; an estimate, because the counters and the
 * capture are not read at the same instant.
 */
export function estimateLoss(growth: NicCounters, captured: number, filtered: boolean): number | null {
  if (filtered) return null;
  return Math.max(0, growth.rx_packets + growth.tx_packets - captured);
}
