// SUPPLIER: SF * 10,000 rows; SF*5 comments hold "Customer%Complaints" and SF*5 hold "Customer%Recommends" (Q16).
import { acctbalCents, writeKeyName, writePhone, writeVString } from '../gen-fields.ts';
import { SequentialRandom, Stream, randInt } from '../random-stream.ts';
import type { Scale } from '../scale.ts';
import type { TableSpec } from '../table-spec.ts';
import type { LineWriter } from '../line-writer.ts';
import type { TextPool } from '../text-pool.ts';

const PREFIX = Buffer.from('Supplier#', 'latin1');
const CUSTOMER = Buffer.from('Customer ', 'latin1');
const COMPLAINTS = Buffer.from('Complaints', 'latin1');
const RECOMMENDS = Buffer.from('Recommends', 'latin1');
const COMMENT_MIN = 25;
const COMMENT_MAX = 100;

/** 1 = "Customer%Complaints", 2 = "Customer%Recommends". */
type Remark = 1 | 2;

let cachedFor = -1;
let cachedRemarks = new Map<number, Remark>();

/**
 * The supplier keys whose comments carry a remark: `complaintRows` distinct keys of each kind,
 * drawn from a sequential stream seeded by the supplier count, so every part agrees on them.
 */
export function remarkedSuppliers(scale: Scale): Map<number, Remark> {
  if (cachedFor === scale.suppliers) return cachedRemarks;
  const remarks = new Map<number, Remark>();
  const rng = new SequentialRandom(Stream.S_BBB ^ scale.suppliers);
  for (const kind of [1, 2] as const) {
    let placed = 0;
    while (placed < scale.complaintRows) {
      const key = rng.below(scale.suppliers) + 1;
      if (remarks.has(key)) continue;
      remarks.set(key, kind);
      placed++;
    }
  }
  cachedFor = scale.suppliers;
  cachedRemarks = remarks;
  return remarks;
}

/**
 * A comment of random length in [25, 100] with "Customer " + filler + "Complaints" (or
 * "Recommends") overwriting it at a random position; the filler is pool text of random length.
 */
function writeRemarkComment(out: LineWriter, pool: TextPool, key: number, remark: Remark): void {
  const len = randInt(Stream.S_COMMENT, key * 2, COMMENT_MIN, COMMENT_MAX);
  const fixed = CUSTOMER.length + COMPLAINTS.length;
  const filler = randInt(Stream.S_BBB, key * 4, 0, len - fixed);
  const at = randInt(Stream.S_BBB, key * 4 + 1, 0, len - fixed - filler);
  const fillerStart = randInt(Stream.S_BBB, key * 4 + 2, 0, pool.size - COMMENT_MAX);
  const textStart = randInt(Stream.S_COMMENT, key * 2 + 1, 0, pool.size - COMMENT_MAX);
  out.slice(pool.bytes, textStart, at);
  out.bytes(CUSTOMER);
  out.slice(pool.bytes, fillerStart, filler);
  out.bytes(remark === 1 ? COMPLAINTS : RECOMMENDS);
  const written = at + fixed + filler;
  out.slice(pool.bytes, textStart + written, len - written);
}

/** SUPPLIER generator: unit = row, S_SUPPKEY = unit + 1. */
export const supplierTable: TableSpec = {
  name: 'supplier',
  units: (scale) => scale.suppliers,
  rowCount: (_scale, from, to) => to - from,
  *write(ctx, from, to, out) {
    const remarks = remarkedSuppliers(ctx.scale);
    for (let unit = from; unit < to; unit++) {
      const key = unit + 1;
      out.int(key);
      writeKeyName(out, PREFIX, key);
      writeVString(out, Stream.S_ADDRESS, key, 10, 40);
      out.sep();
      const nation = randInt(Stream.S_NATION, key, 0, 24);
      out.int(nation);
      writePhone(out, Stream.S_PHONE, key, nation);
      out.cents(acctbalCents(Stream.S_ACCTBAL, key));
      const remark = remarks.get(key);
      if (remark === undefined) ctx.pool.write(out, Stream.S_COMMENT, key, COMMENT_MIN, COMMENT_MAX);
      else writeRemarkComment(out, ctx.pool, key, remark);
      out.sep();
      out.eol();
      if (out.full) yield out.takeChunk();
    }
  },
};
