/**
 * The protocol breakdown: packets and wire bytes per layer present (a packet counts once in every
 * layer it carries, as in tshark's protocol hierarchy), per IP protocol we do not decode further,
 * per EtherType we do not decode, and per malformed reason.
 */
import { REASON_COUNT } from '../decode/reasons.js';
import { L, LAYER_NAMES, type PacketSummary } from '../decode/summary.js';

const LAYER_COUNT = LAYER_NAMES.length;
const IP_PROTOCOLS = 256;

export class Protocols {
  /** [layer*2] packets, [layer*2+1] bytes. */
  readonly layers = new Float64Array(LAYER_COUNT * 2);
  /** Undecoded IP protocols (GRE, ESP, OSPF, …): [proto*2] packets, +1 bytes. */
  readonly ipProtocols = new Float64Array(IP_PROTOCOLS * 2);
  /** Undecoded EtherTypes (LLDP, …): ethertype → [packets, bytes]. Rare, so a Map. */
  readonly etherTypes = new Map<number, [number, number]>();
  /** Packets and bytes with any malformed reason, and packets per reason. */
  malformedPackets = 0;
  malformedBytes = 0;
  readonly reasons = new Float64Array(REASON_COUNT);

  ingest(s: PacketSummary): void {
    const bytes = s.wirelen;
    let bits = s.layers;
    while (bits !== 0) {
      const i = 31 - Math.clz32(bits & -bits);
      bits &= bits - 1;
      this.layers[i * 2]++;
      this.layers[i * 2 + 1] += bytes;
    }
    if ((s.layers & L.OTHER) !== 0) {
      if (s.ipVersion !== 0 && !s.laterFragment && s.ipProto >= 0) {
        this.ipProtocols[s.ipProto * 2]++;
        this.ipProtocols[s.ipProto * 2 + 1] += bytes;
      } else if (s.ipVersion === 0 && s.etherType >= 0) {
        const e = this.etherTypes.get(s.etherType);
        if (e) {
          e[0]++;
          e[1] += bytes;
        } else {
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
}
