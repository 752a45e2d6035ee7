// ORDERS: SF * 1,500,000 rows with sparse keys; status and total price follow from the order's line items.
import { PRIORITIES } from '../distributions.ts';
import { dateBytes, dateBytesOffset } from '../dates.ts';
import type { LineWriter } from '../line-writer.ts';
import { OrderLines } from '../order-lines.ts';
import { Stream, randInt } from '../random-stream.ts';
import { orderKeyOf } from '../scale.ts';
import type { GenContext, TableSpec } from '../table-spec.ts';

const CLERK = Buffer.from('Clerk#', 'latin1');

/**
 * Writes ORDERS rows for stream indices [from, to), mapping stream index to O_ORDERKEY with
 * `keyOf` (the load's sparse keys, or the refresh set's). Shared by the load and RF1.
 */
export function* writeOrders(
  ctx: GenContext, from: number, to: number, out: LineWriter, keyOf: (i: number) => number,
): Generator<Buffer, void, void> {
  const lines = new OrderLines(ctx.scale);
  const dates = dateBytes();
  const clerks = ctx.scale.clerks;
  for (let i = from; i < to; i++) {
    lines.fill(i);
    out.int(keyOf(i));
    out.int(lines.custKey);
    out.byte(lines.status);
    out.sep();
    out.cents(lines.totalCents);
    out.slice(dates, dateBytesOffset(lines.orderDate), 10);
    out.sep();
    out.bytes(PRIORITIES.bytes[randInt(Stream.O_PRIORITY, i, 0, PRIORITIES.words.length - 1)]!);
    out.sep();
    out.bytes(CLERK);
    out.padded(randInt(Stream.O_CLERK, i, 1, clerks), 9);
    out.sep();
    out.int(0);
    ctx.pool.write(out, Stream.O_COMMENT, i, 19, 78);
    out.sep();
    out.eol();
    if (out.full) yield out.takeChunk();
  }
}

/** ORDERS generator: unit = order, O_ORDERKEY = sparse key of the unit. */
export const ordersTable: TableSpec = {
  name: 'orders',
  units: (scale) => scale.orders,
  rowCount: (_scale, from, to) => to - from,
  write: (ctx, from, to, out) => writeOrders(ctx, from, to, out, orderKeyOf),
};
