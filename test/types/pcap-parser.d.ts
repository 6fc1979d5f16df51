/** Types for pcap-parser 0.2.1 (ships none): the parts the differential test uses. */
declare module 'pcap-parser' {
  import type { EventEmitter } from 'node:events';
  import type { Readable } from 'node:stream';
  export interface PacketHeader {
    timestampSeconds: number;
    timestampMicroseconds: number;
    capturedLength: number;
    originalLength: number;
  }
  export interface GlobalHeader {
    magicNumber: number;
    majorVersion: number;
    minorVersion: number;
    snapshotLength: number;
    linkLayerType: number;
  }
  export function parse(input: string | Readable): EventEmitter;
}
