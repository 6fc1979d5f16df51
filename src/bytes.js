/**
 * Integer reads from a byte array without bounds checks: callers check lengths once at the edge
 * (see ../shared/STYLE.md §2), then read. Plain index arithmetic is what V8 inlines best on the hot
 * path; Buffer's readUInt32BE and DataView cost a call and a bounds check each.
 */
export function u16be(b, o) {
    return (b[o] << 8) | b[o + 1];
}
export function u16le(b, o) {
    return b[o] | (b[o + 1] << 8);
}
export function u32be(b, o) {
    return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
export function u32le(b, o) {
    return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}
/** Reads a 16- or 32-bit integer in the byte order a capture file declared. */
export function u16(b, o, le) {
    return le ? u16le(b, o) : u16be(b, o);
}
export function u32(b, o, le) {
    return le ? u32le(b, o) : u32be(b, o);
}
/** Signed 32-bit read, for the few signed header fields (pcap thiszone). */
export function i32(b, o, le) {
    return u32(b, o, le) | 0;
}
