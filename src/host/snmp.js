/**
 * Protocol counters as `netstat -s` reads them:
 *  - /proc/net/snmp and /proc/net/netstat: pairs of lines, "Name: k1 k2 ..." then "Name: v1 v2 ...";
 *  - /proc/net/snmp6: one "Ip6InReceives   12" per line;
 *  - /proc/net/sctp/snmp (when the sctp module is loaded): "SctpCurrEstab   0" per line.
 * Values stay as the kernel printed them (decimal text: u64 counters, and Tcp MaxConn is -1),
 * so nothing is rounded; `counterValue` and `snmpJson` turn them into numbers.
 */
import { join } from 'node:path';
import { readTextOrNull } from './routes.js';
const VALUE = /^-?\d+$/;
/**
 * A header/value pair file (/proc/net/snmp, /proc/net/netstat). A pair whose two lines name
 * different sections, whose value line is missing, or whose values are not decimal or do not
 * match the names in number is skipped and reported at its header line.
 */
export function parseSnmpPairs(text) {
    const sections = [];
    const skipped = [];
    const ls = text.split('\n');
    let i = 0;
    while (i < ls.length) {
        const head = ls[i];
        // An empty line before a pair (2.6 kernels start the file with one; statistics.c skips it).
        if (head.trim() === '') {
            i++;
            continue;
        }
        const line = i + 1;
        const vals = ls[i + 1];
        i += 2;
        if (vals === undefined || vals.trim() === '') {
            skipped.push({ line, reason: 'header without values' });
            continue;
        }
        const hc = head.indexOf(':');
        const vc = vals.indexOf(':');
        if (hc < 0 || vc < 0 || head.slice(0, hc) !== vals.slice(0, vc)) {
            skipped.push({ line, reason: 'header and values disagree' });
            continue;
        }
        const names = head.slice(hc + 1).split(/\s+/).filter((s) => s !== '');
        const values = vals.slice(vc + 1).split(/\s+/).filter((s) => s !== '');
        if (names.length !== values.length || !values.every((v) => VALUE.test(v))) {
            skipped.push({ line, reason: 'values do not match names' });
            continue;
        }
        sections.push({ name: head.slice(0, hc), counters: names.map((n, k) => [n, values[k]]) });
    }
    return { sections, skipped };
}
/**
 * statistics.c cpytitle: a /proc/net/snmp6 counter's section is its name up to and including
 * the first '6' ("Icmp6InMsgs" is in "Icmp6", "UdpLite6InDatagrams" in "UdpLite6").
 */
export function snmp6Section(counter) {
    const k = counter.indexOf('6');
    return k < 0 ? counter : counter.slice(0, k + 1);
}
/**
 * Name/value line files (/proc/net/snmp6, /proc/net/sctp/snmp). Consecutive counters of one
 * section form one SnmpSection; `section` names it (snmp6Section, or fixed "Sctp").
 */
export function parseSnmpLines(text, section = snmp6Section) {
    const sections = [];
    const skipped = [];
    text.split('\n').forEach((l, i) => {
        const f = l.trim().split(/\s+/);
        if (f.length === 1 && f[0] === '')
            return;
        if (f.length !== 2 || !VALUE.test(f[1])) {
            skipped.push({ line: i + 1, reason: 'expected a name and a number' });
            return;
        }
        const s = section(f[0]);
        const last = sections[sections.length - 1];
        if (last && last.name === s)
            last.counters.push([f[0], f[1]]);
        else
            sections.push({ name: s, counters: [[f[0], f[1]]] });
    });
    return { sections, skipped };
}
/**
 * A counter's value as a number: exact up to 2^53; a u64 beyond that is rounded (the decimal
 * text in the record stays exact).
 */
export function counterValue(text) {
    return Number(text);
}
/** The JSON form: { section: { counter: value } }, sections merged by name in file order. */
export function snmpJson(...files) {
    const out = {};
    for (const f of files) {
        if (!f)
            continue;
        for (const s of f.sections) {
            const o = (out[s.name] ??= {});
            for (const [k, v] of s.counters)
                o[k] = counterValue(v);
        }
    }
    return out;
}
export async function readSnmp(roots = {}) {
    const proc = roots.procRoot ?? '/proc';
    const [snmp, netstat, snmp6, sctp] = await Promise.all(['net/snmp', 'net/netstat', 'net/snmp6', 'net/sctp/snmp'].map((p) => readTextOrNull(join(proc, p))));
    return {
        snmp: snmp === null ? null : parseSnmpPairs(snmp),
        netstat: netstat === null ? null : parseSnmpPairs(netstat),
        snmp6: snmp6 === null ? null : parseSnmpLines(snmp6),
        sctp: sctp === null ? null : parseSnmpLines(sctp, () => 'Sctp'),
    };
}
