/**
 * IPv4 and IPv6 addresses from text, shared by every layer that reads them: the host readers
 * (/etc/hosts, route and group tables), the report's endpoints read back (stats/address.ts) and
 * capture-filter literals (decode/filter-parse.ts).
 */
/** Dotted quad to host-order u32; null unless four decimal octets. */
export function ipv4FromString(s) {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (!m)
        return null;
    const o = m.slice(1).map(Number);
    if (o.some((x) => x > 255))
        return null;
    return ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
}
/** Textual IPv6 (with "::" and an optional trailing dotted quad) to bytes; null if invalid. */
export function parseIpv6Text(s) {
    let t = s;
    if (s.includes('.')) {
        const cut = s.lastIndexOf(':');
        const v4 = cut < 0 ? null : ipv4FromString(s.slice(cut + 1));
        if (v4 === null)
            return null;
        t = `${s.slice(0, cut + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
    }
    const halves = t.split('::');
    if (halves.length > 2)
        return null;
    const groups = (x) => {
        if (x === '')
            return [];
        const out = [];
        for (const h of x.split(':')) {
            if (!/^[0-9A-Fa-f]{1,4}$/.test(h))
                return null;
            out.push(parseInt(h, 16));
        }
        return out;
    };
    const head = groups(halves[0]);
    const tail = halves.length === 2 ? groups(halves[1]) : [];
    if (!head || !tail)
        return null;
    let words;
    if (halves.length === 2) {
        const fill = 8 - head.length - tail.length;
        if (fill < 1)
            return null;
        words = [...head, ...new Array(fill).fill(0), ...tail];
    }
    else {
        if (head.length !== 8)
            return null;
        words = head;
    }
    const b = new Uint8Array(16);
    words.forEach((w, i) => {
        b[2 * i] = w >> 8;
        b[2 * i + 1] = w & 0xff;
    });
    return b;
}
