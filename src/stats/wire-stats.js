import { Conversations } from './conversations.js';
import { DEFAULT_MAX_ENDPOINTS, Endpoints } from './endpoints.js';
import { Protocols } from './protocols.js';
export class WireStats {
    packets = 0;
    /** Wire (original) bytes: what tshark counts, also when a snap length cut the capture. */
    bytes = 0;
    capturedBytes = 0;
    firstTs = Infinity;
    lastTs = -Infinity;
    conversations;
    endpoints;
    protocols = new Protocols();
    constructor(opts = {}) {
        const c = new Conversations(opts.flows ?? {});
        const e = new Endpoints(opts.maxEndpoints ?? DEFAULT_MAX_ENDPOINTS);
        // A conversation leaving the table leaves its counts with its endpoints.
        c.watch({ evicting: (id) => e.settle(c, id), moved: (from, to) => e.moved(from, to), shrunk: (size, was) => e.shrunk(size, was) });
        this.conversations = c;
        this.endpoints = e;
    }
    ingest(s) {
        this.ingestTotals(s);
        this.ingestFlows(s);
    }
    /**
     * The part of `ingest` that needs no flow table: totals, time extremes and protocols. A decode
     * worker counts these itself (they cost the counting thread a tenth of its time) and hands them
     * over with `totalsState()` / `adoptTotals()`.
     */
    ingestTotals(s) {
        this.packets++;
        this.bytes += s.wirelen;
        this.capturedBytes += s.caplen;
        if (s.hasTs) {
            // Files may be out of order: first/last are the extremes, so durations never go negative.
            if (s.ts < this.firstTs)
                this.firstTs = s.ts;
            if (s.ts > this.lastTs)
                this.lastTs = s.ts;
        }
        this.protocols.ingest(s);
    }
    /** The other part: conversations and endpoints. */
    ingestFlows(s) {
        const c = this.conversations;
        const id = c.ingest(s);
        if (id >= 0)
            this.endpoints.ingestConversation(s, c, id, c.lastDir);
        else
            this.endpoints.ingest(s);
    }
    totalsState() {
        return {
            packets: this.packets,
            bytes: this.bytes,
            capturedBytes: this.capturedBytes,
            firstTs: this.firstTs,
            lastTs: this.lastTs,
            protocols: this.protocols.state(),
        };
    }
    adoptTotals(t) {
        this.packets = t.packets;
        this.bytes = t.bytes;
        this.capturedBytes = t.capturedBytes;
        this.firstTs = t.firstTs;
        this.lastTs = t.lastTs;
        this.protocols.restore(t.protocols);
    }
}
