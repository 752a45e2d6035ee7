// The simulator's state machine: integer registers plus a hash chain over every applied entry.
import type { LogEntry } from '../raft-types.ts';
import { EntryType } from '../raft-types.ts';

/** Encodes a register write as a command: key (u16) and value (u32), little-endian. */
export function encodeKvWrite(key: number, value: number): Uint8Array {
  const out = new Uint8Array(6);
  const view = new DataView(out.buffer);
  view.setUint16(0, key, true);
  view.setUint32(2, value, true);
  return out;
}

/** Mixes one entry into a running 32-bit hash (FNV-1a style over its fields and bytes). */
export function chainHash(prev: number, e: LogEntry): number {
  let h = prev ^ 0x811c9dc5;
  h = Math.imul(h ^ (e.index & 0xffff), 16777619);
  h = Math.imul(h ^ (e.index >>> 16), 16777619);
  h = Math.imul(h ^ e.term, 16777619);
  h = Math.imul(h ^ e.type, 16777619);
  for (let i = 0; i < e.data.length; i++) h = Math.imul(h ^ e.data[i]!, 16777619);
  return h >>> 0;
}

/**
 * Registers keyed by small integers (absent reads as 0). `hash` chains every applied entry,
 * so two replicas with equal (appliedIndex, hash) applied the same sequence; it travels in
 * snapshots, which lets the checker verify a restored snapshot too.
 */
export class KvStateMachine {
  appliedIndex = 0;
  hash = 0;
  private readonly values = new Map<number, number>();

  /** Applies the next entry; entries must arrive in index order without gaps. */
  apply(e: LogEntry): void {
    if (e.index !== this.appliedIndex + 1) throw new Error(`state machine applied ${e.index} after ${this.appliedIndex}`);
    if (e.type === EntryType.Command) {
      const view = new DataView(e.data.buffer, e.data.byteOffset, e.data.byteLength);
      this.values.set(view.getUint16(0, true), view.getUint32(2, true));
    }
    this.appliedIndex = e.index;
    this.hash = chainHash(this.hash, e);
  }

  read(key: number): number {
    return this.values.get(key) ?? 0;
  }

  /** Serialises the state: applied index, hash, then (key, value) pairs. */
  snapshot(): Uint8Array {
    const out = new Uint8Array(12 + this.values.size * 6);
    const view = new DataView(out.buffer);
    view.setFloat64(0, this.appliedIndex, true);
    view.setUint32(8, this.hash, true);
    let at = 12;
    for (const [k, v] of this.values) {
      view.setUint16(at, k, true);
      view.setUint32(at + 2, v, true);
      at += 6;
    }
    return out;
  }

  /** Replaces the state with a snapshot's. */
  restore(data: Uint8Array): void {
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.appliedIndex = view.getFloat64(0, true);
    this.hash = view.getUint32(8, true);
    this.values.clear();
    for (let at = 12; at + 6 <= data.length; at += 6) this.values.set(view.getUint16(at, true), view.getUint32(at + 2, true));
  }
}
