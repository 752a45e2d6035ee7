// Field writers shared by several tables: v-strings, phone numbers, account balances, zero-padded names.
import { randInt, rand32 } from './random-stream.ts';
import type { LineWriter } from './line-writer.ts';

/** The 64 symbols v-strings draw from (no '|', '\' or space, so COPY text and CSV readers agree). */
const VSTRING_ALPHABET = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,.', 'latin1');

/**
 * Writes a v-string [min, max] (clause 4.2.2.7) for draw `index` of `stream`: the length is one
 * draw, the characters come 5 per 32-bit draw (6 bits each) from stream `stream ^ 0x00ff0000`.
 */
export function writeVString(out: LineWriter, stream: number, index: number, min: number, max: number): void {
  const len = randInt(stream, index, min, max);
  const charStream = stream ^ 0x00ff0000;
  const { buf } = out.raw();
  let { pos } = out.raw();
  let bits = 0;
  for (let charIdx = 0; charIdx < len; charIdx++) {
    const slot = charIdx % 5;
    if (slot === 0) bits = rand32(charStream, index * 8 + charIdx / 5);
    buf[pos++] = VSTRING_ALPHABET[(bits >>> (slot * 6)) & 63]!;
  }
  out.advance(pos);
}

/**
 * Writes a phone number (clause 4.2.2.9): country code nationkey + 10, then local numbers
 * [100..999]-[100..999]-[1000..9999], e.g. "25-989-741-2988", then '|'.
 */
export function writePhone(out: LineWriter, stream: number, key: number, nationKey: number): void {
  out.padded(nationKey + 10, 2);
  out.byte(0x2d);
  out.padded(randInt(stream, key * 3, 100, 999), 3);
  out.byte(0x2d);
  out.padded(randInt(stream, key * 3 + 1, 100, 999), 3);
  out.byte(0x2d);
  out.padded(randInt(stream, key * 3 + 2, 1000, 9999), 4);
  out.sep();
}

/** An account balance in cents, uniform in [-999.99, 9999.99]. */
export function acctbalCents(stream: number, key: number): number {
  return randInt(stream, key, -99_999, 999_999);
}

/** Writes `prefix` then `key` zero-padded to 9 digits, then '|' ("Supplier#000000001|"). */
export function writeKeyName(out: LineWriter, prefix: Buffer, key: number): void {
  out.bytes(prefix);
  out.padded(key, 9);
  out.sep();
}
