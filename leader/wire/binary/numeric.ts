// Binary numeric: PostgreSQL's base-10000 digits with weight, sign and display scale.
// Layout: Int16 ndigits, Int16 weight (of the first digit, in base-10000 places), Int16 sign
// (0x0000 +, 0x4000 -, 0xC000 NaN, 0xD000 +Infinity, 0xF000 -Infinity), Int16 dscale, then
// ndigits Int16 digits in 0..9999. Leading and trailing zero digits are not sent.
import { featureNotSupported } from '../../../common/errors/index.ts';
import { Decimal } from '../../../sql/types/decimal.ts';
import type { MessageWriter } from '../message-writer.ts';
import type { BinaryCodec } from './binary-codec.ts';
import { badBinary } from './binary-codec.ts';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
/** PostgreSQL's NUMERIC_MAX_DISPLAY_SCALE. */
const MAX_DSCALE = 1000;

function writeSpecial(w: MessageWriter, sign: number): void {
  w.int16(0).int16(0).int16(sign).int16(0);
}

/** Appends the binary form of a Decimal. */
export function encodeDecimal(w: MessageWriter, d: Decimal): void {
  const dec = d.scale < 0 ? d.withScale(0) : d;
  const scale = dec.scale;
  const neg = dec.unscaled < 0n;
  const abs = (neg ? -dec.unscaled : dec.unscaled).toString().padStart(scale + 1, '0');
  const intLen = abs.length - scale;
  const intGroups = Math.ceil(intLen / 4);
  const fracGroups = Math.ceil(scale / 4);
  // Align the digit string on the decimal point in groups of four.
  const aligned = '0'.repeat(intGroups * 4 - intLen) + abs + '0'.repeat(fracGroups * 4 - scale);
  let first = 0;
  let last = intGroups + fracGroups; // exclusive
  while (first < last && aligned.startsWith('0000', first * 4)) first++;
  while (last > first && aligned.startsWith('0000', (last - 1) * 4)) last--;
  const ndigits = last - first;
  const weight = ndigits === 0 ? 0 : intGroups - 1 - first;
  w.int16(ndigits).int16(weight).int16(ndigits === 0 ? NUMERIC_POS : neg ? NUMERIC_NEG : NUMERIC_POS).int16(scale);
  for (let g = first; g < last; g++) w.int16(Number(aligned.slice(g * 4, g * 4 + 4)));
}

/** numeric send/recv (Decimal Datums; plain numbers are accepted on send, NaN/±Infinity included). */
export const NumericBinary: BinaryCodec = {
  encode(w, t, v) {
    if (v instanceof Decimal) { encodeDecimal(w, v); return; }
    if (typeof v === 'number') {
      if (Number.isNaN(v)) { writeSpecial(w, NUMERIC_NAN); return; }
      if (v === Infinity) { writeSpecial(w, NUMERIC_PINF); return; }
      if (v === -Infinity) { writeSpecial(w, NUMERIC_NINF); return; }
    }
    const d = Decimal.parse(String(v));
    if (d === undefined) throw badBinary(t, `not a number: ${String(v)}`);
    encodeDecimal(w, d);
  },
  decode(bytes, t) {
    if (bytes.length < 8) throw badBinary(t, 'numeric header too short');
    const ndigits = bytes.readInt16BE(0);
    const weight = bytes.readInt16BE(2);
    const sign = bytes.readUInt16BE(4);
    const dscale = bytes.readInt16BE(6);
    if (ndigits < 0 || bytes.length !== 8 + ndigits * 2) throw badBinary(t, 'invalid length in external "numeric" value');
    if (sign === NUMERIC_NAN || sign === NUMERIC_PINF || sign === NUMERIC_NINF) {
      throw featureNotSupported('numeric NaN and infinity');
    }
    if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw badBinary(t, 'invalid sign in external "numeric" value');
    if (dscale < 0 || dscale > MAX_DSCALE) throw badBinary(t, 'invalid scale in external "numeric" value');
    let n = 0n;
    for (let i = 0; i < ndigits; i++) {
      const digit = bytes.readInt16BE(8 + i * 2);
      if (digit < 0 || digit > 9999) throw badBinary(t, 'invalid digit in external "numeric" value');
      n = n * 10000n + BigInt(digit);
    }
    if (sign === NUMERIC_NEG) n = -n;
    // value = n * 10000^(weight - ndigits + 1) = n * 10^exp10
    const exp10 = 4 * (weight - ndigits + 1);
    const exact = exp10 >= 0 ? new Decimal(n * 10n ** BigInt(exp10), 0) : new Decimal(n, -exp10);
    return exact.withScale(dscale);
  },
};
