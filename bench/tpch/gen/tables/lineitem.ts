// LINEITEM: 1..7 rows per order (about SF * 6,000,000); prices, dates, flags per clause 4.2.3.
import { INSTRUCTIONS, MODES } from '../distributions.ts';
import { dateBytes, dateBytesOffset } from '../dates.ts';
import type { LineWriter } from '../line-writer.ts';
import { OrderLines, lineCount } from '../order-lines.ts';
import { Stream, randInt } from '../random-stream.ts';
import { orderKeyOf } from '../scale.ts';
import type { GenContext, TableSpec } from '../table-spec.ts';

/**
 * Writes LINEITEM rows for the orders with stream indices [from, to), keyed by `keyOf`.
 * Shared by the load and RF1.
 */
export function* writeLineitems(
  ctx: GenContext, from: number, to: number, out: LineWriter, keyOf: (i: number) => number,
): Generator<Buffer, void, void> {
  const lines = new OrderLines(ctx.scale);
  const dates = dateBytes();
  const pool = ctx.pool;
  for (let i = from; i < to; i++) {
    lines.fill(i);
    const orderKey = keyOf(i);
    for (let lineIdx = 0; lineIdx < lines.count; lineIdx++) {
      const d = i * 8 + lineIdx;
      out.int(orderKey);
      out.int(lines.partKey[lineIdx]!);
      out.int(lines.suppKey[lineIdx]!);
      out.int(lineIdx + 1);
      out.cents(lines.quantity[lineIdx]! * 100);
      out.cents(lines.extCents[lineIdx]!);
      out.cents(lines.discount[lineIdx]!);
      out.cents(lines.tax[lineIdx]!);
      out.byte(lines.returnFlag[lineIdx]!);
      out.sep();
      out.byte(lines.lineStatus[lineIdx]!);
      out.sep();
      out.slice(dates, dateBytesOffset(lines.shipDate[lineIdx]!), 10);
      out.sep();
      out.slice(dates, dateBytesOffset(lines.commitDate[lineIdx]!), 10);
      out.sep();
      out.slice(dates, dateBytesOffset(lines.receiptDate[lineIdx]!), 10);
      out.sep();
      out.bytes(INSTRUCTIONS.bytes[randInt(Stream.L_INSTRUCT, d, 0, INSTRUCTIONS.words.length - 1)]!);
      out.sep();
      out.bytes(MODES.bytes[randInt(Stream.L_MODE, d, 0, MODES.words.length - 1)]!);
      out.sep();
      pool.write(out, Stream.L_COMMENT, d, 10, 43);
      out.sep();
      out.eol();
    }
    if (out.full) yield out.takeChunk();
  }
}

/** LINEITEM generator: unit = order. */
export const lineitemTable: TableSpec = {
  name: 'lineitem',
  units: (scale) => scale.orders,
  rowCount: (_scale, from, to) => lineCount(from, to),
  write: (ctx, from, to, out) => writeLineitems(ctx, from, to, out, orderKeyOf),
};
