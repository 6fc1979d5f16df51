/**
 * The packet-source contract shared by every reader (pcap, pcapng, later live capture).
 *
 * Borrow rule: a source hands each record to its sink as one reused `CaptureRecord` whose bytes
 * live in the source's chunk buffer. The record and its bytes are valid only until the sink
 * returns; the next record overwrites both. Whatever must outlive the call is copied out first
 * (into a `PacketSummary`, a flow key, a counter).
 */
/** Largest record we accept. A header claiming more is an error, never an allocation (libpcap's
 *  own ceiling for most link types is the same 256 KiB). */
export const MAX_RECORD_BYTES = 262144;
export class CaptureRecord {
    /** Backing store: the reader's chunk buffer. Packet bytes are `buf[offset, offset + caplen)`. */
    buf = Buffer.alloc(0);
    offset = 0;
    /** Bytes present in the file (captured length). */
    caplen = 0;
    /** Bytes that were on the wire (original length); may exceed caplen when a snap length cut it. */
    wirelen = 0;
    /** Timestamp as whole seconds since the epoch plus nanoseconds, exact. */
    tsSec = 0;
    tsNsec = 0;
    /** False for records that carry no time (pcapng Simple Packet Block). */
    hasTs = true;
    /** LINKTYPE_ value of the interface the record came from. */
    linktype = 0;
    /** Interface number, unique across pcapng sections; 0 for classic pcap. */
    ifIndex = 0;
    /** Byte order of the file (pcap) or of the record's section (pcapng). A NULL link header is
     *  written in it, and libpcap's filters read it so (src/decode/filter-program.ts). */
    littleEndian = true;
    /** Byte offset of the record's header in the input. */
    fileOffset = 0;
    /** Timestamp as float seconds (µs-exact for present-day times; for output and rates). */
    get ts() {
        return this.tsSec + this.tsNsec / 1e9;
    }
    /** A view of the packet bytes. Costs an object; the hot path reads `buf` at `offset` instead. */
    get data() {
        return this.buf.subarray(this.offset, this.offset + this.caplen);
    }
}
/** Bounded list of errors: a hostile file cannot make the report grow without limit. */
export const MAX_LISTED_ERRORS = 1000;
export class ErrorLog {
    list = [];
    notListed = 0;
    add(offset, reason) {
        if (this.list.length < MAX_LISTED_ERRORS)
            this.list.push({ offset, reason });
        else
            this.notListed++;
    }
    get count() {
        return this.list.length + this.notListed;
    }
}
/** An input that cannot be read at all (exit 2). `offset` is where the problem was found. */
export class CaptureOpenError extends Error {
    file;
    offset;
    cause_;
    constructor(file, offset, cause_) {
        super(offset === null ? `${file}: ${cause_}` : `${file}: byte ${offset}: ${cause_}`);
        this.file = file;
        this.offset = offset;
        this.cause_ = cause_;
        this.name = 'CaptureOpenError';
    }
}
