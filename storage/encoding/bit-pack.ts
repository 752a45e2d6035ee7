// Bit packing of non-negative integers below 2^53 into little-endian 32-bit words, LSB first.
//
// Stream layout (8-aligned at start and end):
//   u8 width (0..53) | u8 0 | u16 0 | u32 count
//   width ≤ 32: ceil(count·width/32) u32 words, value i at bits [i·width, (i+1)·width)
//   width > 32: count u32 words of the low 32 bits, then the high (width−32) bits packed as above
//   zero padding to a multiple of 8 bytes
// Width 0 means every value is 0 and no words follow.
import type { ByteWriter } from '../io/byte-writer.ts';
import type { ByteReader } from '../io/byte-reader.ts';
import { dataCorrupted } from '../../common/errors/index.ts';

const TWO32 = 4294967296;

/** Input arrays the packer accepts (encode side only). */
export type IntSource = Float64Array | Int32Array | Uint32Array;

/** Bits needed to hold `maxValue` (a non-negative integer below 2^53). */
export function bitWidth(maxValue: number): number {
  if (maxValue <= 0) return 0;
  if (maxValue >= TWO32) return 32 + bitWidth(Math.floor(maxValue / TWO32));
  return 32 - Math.clz32(maxValue);
}

/** Bytes a packed stream of `count` values at `width` bits takes, header and padding included. */
export function packedSize(count: number, width: number): number {
  let words = 0;
  if (width > 32) words = count + Math.ceil((count * (width - 32)) / 32);
  else words = Math.ceil((count * width) / 32);
  return 8 + ((words * 4 + 7) & ~7);
}

/** Largest value in src[0, count). */
export function maxOf(src: IntSource, count: number): number {
  let m = 0;
  for (let i = 0; i < count; i++) if (src[i]! > m) m = src[i]!;
  return m;
}

function packWords(src: IntSource, count: number, width: number, out: Uint32Array, hiPart: boolean): void {
  if (width === 0) return;
  let word = 0;
  let bits = 0;
  let outIdx = 0;
  for (let i = 0; i < count; i++) {
    const v = hiPart ? Math.floor(src[i]! / TWO32) : src[i]!;
    word |= v << bits;
    bits += width;
    if (bits >= 32) {
      out[outIdx++] = word;
      bits -= 32;
      word = bits > 0 ? v >>> (width - bits) : 0;
    }
  }
  if (bits > 0) out[outIdx] = word;
}

/** Writes src[0, count) as a packed stream; width defaults to what the largest value needs. */
export function writePacked(w: ByteWriter, src: IntSource, count: number, width = bitWidth(maxOf(src, count))): void {
  w.align(8);
  w.u8(width); w.u8(0); w.u16(0); w.u32(count);
  if (width > 32) {
    const lo = new Uint32Array(count);
    for (let i = 0; i < count; i++) lo[i] = src[i]! % TWO32;
    w.typed(lo);
    const hi = new Uint32Array(Math.ceil((count * (width - 32)) / 32));
    packWords(src, count, width - 32, hi, true);
    w.typed(hi);
  } else if (width > 0) {
    const words = new Uint32Array(Math.ceil((count * width) / 32));
    packWords(src, count, width, words, false);
    w.typed(words);
  }
  w.align(8);
}

/** A packed stream as read back: views of its words, not yet unpacked. */
export interface PackedStream {
  readonly width: number;
  readonly count: number;
  /** Words of the low part (all bits when width ≤ 32). */
  readonly lo: Uint32Array;
  /** Words of the high (width − 32) bits, or null when width ≤ 32. */
  readonly hi: Uint32Array | null;
}

/** Reads a packed stream's header and word views, checking sizes against `expectedCount` when given. */
export function readPacked(r: ByteReader, expectedCount = -1): PackedStream {
  r.align(8);
  const width = r.u8();
  r.u8(); r.u16();
  const count = r.u32();
  if (width > 53 || (expectedCount >= 0 && count !== expectedCount)) {
    throw dataCorrupted(`bad packed stream (width ${width}, count ${count}, expected ${expectedCount})`);
  }
  let lo: Uint32Array;
  let hi: Uint32Array | null = null;
  if (width > 32) {
    lo = r.uint32s(count);
    hi = r.uint32s(Math.ceil((count * (width - 32)) / 32));
  } else {
    lo = r.uint32s(Math.ceil((count * width) / 32));
  }
  r.align(8);
  return { width, count, lo, hi };
}

/**
 * Unrolled unpackers, one per width and output kind, made on first use: each call of one unpacks
 * `blocks` runs of 32 values (exactly `width` words each) with every shift a constant, no branch
 * per value. What the generic loop below does a value at a time, ~3× faster.
 */
type Unpacker = (words: Uint32Array, out: Int32Array | Float64Array, base: number, blocks: number) => void;
const unpackers = new Map<number, Unpacker>();

function unpacker(width: number, toInt32: boolean): Unpacker {
  const key = toInt32 ? width : width + 64;
  let f = unpackers.get(key);
  if (f !== undefined) return f;
  const mask = width === 32 ? 0 : (1 << width) - 1;
  const lines: string[] = ['let wi = 0;', 'let o = 0;', 'for (let b = 0; b < blocks; b++) {'];
  for (let j = 0; j < width; j++) lines.push(`  const w${j} = words[wi + ${j}] | 0;`);
  for (let k = 0; k < 32; k++) {
    const bit = k * width;
    const j = bit >>> 5;
    const shift = bit & 31;
    let v = shift === 0 ? `w${j}` : `(w${j} >>> ${shift})`;
    if (shift + width > 32) v = `(${v} | (w${j + 1} << ${32 - shift}))`;
    if (shift + width !== 32) v = `(${v} & ${mask})`;
    lines.push(`  out[o + ${k}] = ${toInt32 ? `(base + ${v}) | 0` : `base + ${v}`};`);
  }
  lines.push(`  wi += ${width};`, '  o += 32;', '}');
  f = new Function('words', 'out', 'base', 'blocks', lines.join('\n')) as Unpacker;
  unpackers.set(key, f);
  return f;
}

/**
 * Values [from, count) of a stream of `width` (1..31) bits, one at a time: the tail after the
 * unrolled runs (`from` a multiple of 32, so it starts on a word boundary).
 */
function unpackTail(words: Uint32Array, width: number, from: number, count: number, base: number, out: Int32Array | Float64Array, toInt32: boolean): void {
  const mask = (1 << width) - 1;
  let wordIdx = (from / 32) * width;
  let buf = 0;
  let bits = 0;
  for (let i = from; i < count; i++) {
    let v: number;
    if (bits >= width) {
      v = buf & mask;
      buf >>>= width;
      bits -= width;
    } else {
      const next = words[wordIdx++]!;
      v = (buf | (next << bits)) & mask;
      buf = next >>> (width - bits);
      bits += 32 - width;
    }
    out[i] = toInt32 ? (base + v) | 0 : base + v;
  }
}

/** Unpacks a ≤32-bit stream into out[i] = (base + v_i) | 0. The hot path for int32 and date columns. */
export function unpackToInt32(s: PackedStream, base: number, out: Int32Array): void {
  const count = s.count;
  const width = s.width;
  const words = s.lo;
  if (width === 0) { out.fill(base, 0, count); return; }
  if (width === 32) { for (let i = 0; i < count; i++) out[i] = (base + words[i]!) | 0; return; }
  const blocks = count >>> 5;
  if (blocks > 0) unpacker(width, true)(words, out, base, blocks);
  unpackTail(words, width, blocks * 32, count, base, out, true);
}

/** Unpacks any stream into out[i] = base + v_i as doubles (exact: base + v_i stays below 2^53 in magnitude). */
export function unpackToFloat64(s: PackedStream, base: number, out: Float64Array): void {
  const count = s.count;
  const width = s.width;
  if (width === 0) { out.fill(base, 0, count); return; }
  if (width >= 32) {
    const lo = s.lo;
    for (let i = 0; i < count; i++) out[i] = base + lo[i]!;
    if (width === 32 || s.hi === null) return;
    const hiStream: PackedStream = { width: width - 32, count, lo: s.hi, hi: null };
    const hi = new Int32Array(count);
    unpackToInt32(hiStream, 0, hi);
    for (let i = 0; i < count; i++) out[i] = out[i]! + hi[i]! * TWO32;
    return;
  }
  const blocks = count >>> 5;
  if (blocks > 0) unpacker(width, false)(s.lo, out, base, blocks);
  unpackTail(s.lo, width, blocks * 32, count, base, out, false);
}
