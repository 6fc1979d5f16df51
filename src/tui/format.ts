/**
 * Numbers and times as the screen shows them. Pure functions; no locale, no time zone (UTC),
 * no clock: a screen of the same view is the same text everywhere.
 *
 * Units follow iftop's display: three significant figures and a unit letter, bytes in powers of
 * 1024 (IEC: KiB, MiB, ...) and rates in bits per second in powers of 1000 (SI: kb, Mb, ...). A
 * value below 1000 of the current unit is shown whole; from 1000 up it moves to the next unit,
 * so 1000 bytes are `0.98KiB`, as iftop shows `0.98KB`. Every result of `bytes()` and `bits()`
 * is at most 7 columns.
 */

const IEC = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
const SI_BITS = ['b', 'kb', 'Mb', 'Gb', 'Tb', 'Pb', 'Eb'];
const SI_COUNT = ['', 'k', 'M', 'G', 'T', 'P', 'E'];

/** Three significant figures: 1.23, 12.3, 123. */
function sig3(v: number): string {
  if (v < 9.995) return v.toFixed(2);
  if (v < 99.95) return v.toFixed(1);
  return v.toFixed(0);
}

function scaled(n: number, base: number, units: readonly string[]): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n < 1000) return `${Math.round(n)}${units[0]}`;
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= base;
    i++;
  }
  // Rounding may reach 1000 (999.6 → "1000"): take the next unit then.
  if (v >= 999.5 && i < units.length - 1) {
    v /= base;
    i++;
  }
  return `${sig3(v)}${units[i]}`;
}

/** Bytes: `512B`, `0.98KiB`, `1.21MiB`, `123GiB`. */
export function bytes(n: number): string {
  return scaled(n, 1024, IEC);
}

/** A byte rate (bytes per second) shown as bits per second: `800b`, `12.3Mb`. */
export function bits(bytesPerSecond: number): string {
  return scaled(bytesPerSecond * 8, 1000, SI_BITS);
}

/** Bits per second already in bits (the history's bps): `12.3Mb`. */
export function bitsRaw(bitsPerSecond: number): string {
  return scaled(bitsPerSecond, 1000, SI_BITS);
}

/** A count in a narrow column: `999`, `12.3k`, `1.23M`. */
export function count(n: number): string {
  return scaled(n, 1000, SI_COUNT);
}

/** A rate of packets per second: below 10 with one decimal (`0.5`), then as `count`. */
export function perSecond(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  if (n === 0) return '0';
  if (n < 9.95) return n.toFixed(1);
  return count(n);
}

/** An exact count with thousands separators: `1,234,567`. */
export function grouped(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const neg = n < 0;
  const s = String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return neg ? `-${out}` : out;
}

/** A short span of time: `0.35s`, `4.2s`, `12s`, `1m02s`, `1h02m`, `3d04h`. Never negative. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, seconds);
  if (s < 1) return `${s.toFixed(2)}s`;
  if (s < 9.95) return `${s.toFixed(1)}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${two(Math.floor(s - m * 60))}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${two(m - h * 60)}m`;
  const d = Math.floor(h / 24);
  return `${d}d${two(h - d * 24)}h`;
}

/** Elapsed time as a clock: `0:01:02`, `27:46:40` (hours keep counting). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s - h * 3600) / 60);
  return `${h}:${two(m)}:${two(s - h * 3600 - m * 60)}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A capture-clock time in UTC: `2026-11-26 12:00:03` (with `micros`, `.123456` after it).
 * Outside the years 0000-9999 (a file from another century and beyond), plain seconds.
 */
export function utc(t: number, micros = false): string {
  if (!Number.isFinite(t)) return '-';
  const whole = Math.floor(t);
  const d = new Date(whole * 1000);
  const year = d.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) return micros ? t.toFixed(6) : String(whole);
  const iso = d.toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  if (!micros) return base;
  const us = Math.min(999999, Math.round((t - whole) * 1e6));
  return `${base}.${String(us).padStart(6, '0')}`;
}

/** A share as a percentage: `62.1%`, `0.04%`, `100%`. */
export function percent(part: number, whole: number): string {
  if (!(whole > 0) || !Number.isFinite(part)) return '-';
  const p = (part / whole) * 100;
  if (p >= 99.95) return `${p.toFixed(0)}%`;
  if (p >= 0.995 || p === 0) return `${p.toFixed(1)}%`;
  return `${p.toFixed(2)}%`;
}
