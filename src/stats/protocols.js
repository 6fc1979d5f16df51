/**
 * The protocol breakdown: packets and wire bytes per layer present (a packet counts once in every
 * layer it carries, as in tshark's protocol hierarchy), per IP protocol we do not decode further,
 * per EtherType we do not decode, and per malformed reason.
 */
import { REASON_COUNT } from '../decode/reasons.js';
import { L, LAYER_NAMES } from '../decode/summary.js';
const LAYER_COUNT = LAYER_NAMES.length;
const IP_PROTOCOLS = 256;
/** Distinct layer combinations remembered before falling back to counting bit by bit. */
const COMBO_SLOTS = 256;
const COMBO_MASK = COMBO_SLOTS - 1;
const NO_COMBO = -1;
export class Protocols {
    /**
     * Per layer combination (a packet's whole `layers` mask): packets and bytes. A capture has a
     * handful of combinations (ethernet+ipv4+tcp, …), so one increment per packet replaces one per
     * layer; `layers` expands them when asked.
     */
    comboMask = new Int32Array(COMBO_SLOTS).fill(NO_COMBO);
    comboCount = new Float64Array(COMBO_SLOTS * 2);
    /** Packets whose combination found no free slot, counted per layer. */
    overflow = new Float64Array(LAYER_COUNT * 2);
    /** Undecoded IP protocols (GRE, ESP, OSPF, …): [proto*2] packets, +1 bytes. */
    ipProtocols = new Float64Array(IP_PROTOCOLS * 2);
    /** Undecoded EtherTypes (LLDP, …): ethertype → [packets, bytes]. Rare, so a Map. */
    etherTypes = new Map();
    /** Packets and bytes with any malformed reason, and packets per reason. */
    malformedPackets = 0;
    malformedBytes = 0;
    reasons = new Float64Array(REASON_COUNT);
    ingest(s) {
        const bytes = s.wirelen;
        const layers = s.layers;
        // Open addressing on the mask itself (multiplicative hash into 256 slots).
        let slot = (Math.imul(layers, 0x9e3779b1) >>> 24) & COMBO_MASK;
        for (let probe = 0; probe < COMBO_SLOTS; probe++) {
            const m = this.comboMask[slot];
            if (m === layers || m === NO_COMBO) {
                this.comboMask[slot] = layers;
                this.comboCount[slot * 2]++;
                this.comboCount[slot * 2 + 1] += bytes;
                break;
            }
            slot = (slot + 1) & COMBO_MASK;
            if (probe === COMBO_SLOTS - 1)
                addBits(this.overflow, layers, 1, bytes);
        }
        if ((layers & L.OTHER) !== 0) {
            if (s.ipVersion !== 0 && !s.laterFragment && s.ipProto >= 0) {
                this.ipProtocols[s.ipProto * 2]++;
                this.ipProtocols[s.ipProto * 2 + 1] += bytes;
            }
            else if (s.ipVersion === 0 && s.etherType >= 0) {
                const e = this.etherTypes.get(s.etherType);
                if (e) {
                    e[0]++;
                    e[1] += bytes;
                }
                else {
                    this.etherTypes.set(s.etherType, [1, bytes]);
                }
            }
        }
        if (s.reason !== 0) {
            this.malformedPackets++;
            this.malformedBytes += bytes;
            this.reasons[s.reason]++;
        }
    }
    /** Everything counted, as plain data a worker thread can post (structured clone). */
    state() {
        return {
            comboMask: this.comboMask,
            comboCount: this.comboCount,
            overflow: this.overflow,
            ipProtocols: this.ipProtocols,
            etherTypes: this.etherTypes,
            malformedPackets: this.malformedPackets,
            malformedBytes: this.malformedBytes,
            reasons: this.reasons,
        };
    }
    /** Replaces what was counted here by `state` (from another thread's `state()`). */
    restore(state) {
        this.comboMask.set(state.comboMask);
        this.comboCount.set(state.comboCount);
        this.overflow.set(state.overflow);
        this.ipProtocols.set(state.ipProtocols);
        this.etherTypes.clear();
        for (const [k, v] of state.etherTypes)
            this.etherTypes.set(k, [v[0], v[1]]);
        this.malformedPackets = state.malformedPackets;
        this.malformedBytes = state.malformedBytes;
        this.reasons.set(state.reasons);
    }
    /** Packets and bytes per layer: [layer*2] packets, [layer*2+1] bytes (see LAYER_NAMES). */
    layers() {
        const out = Float64Array.from(this.overflow);
        for (let slot = 0; slot < COMBO_SLOTS; slot++) {
            const m = this.comboMask[slot];
            if (m !== NO_COMBO)
                addBits(out, m, this.comboCount[slot * 2], this.comboCount[slot * 2 + 1]);
        }
        return out;
    }
}
/** Adds packets and bytes to every layer whose bit is set in `layers`. */
function addBits(counts, layers, packets, bytes) {
    let bits = layers;
    while (bits !== 0) {
        const i = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        counts[i * 2] += packets;
        counts[i * 2 + 1] += bytes;
    }
}
