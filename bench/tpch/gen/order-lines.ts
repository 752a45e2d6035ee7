// Computes one order's line items (clause 4.2.3 LINEITEM rules) so ORDERS (status, total) and LINEITEM agree.
import { CURRENT_DATE, LAST_ORDER_DATE, START_DATE } from './dates.ts';
import { Stream, randInt } from './random-stream.ts';
import { orderCustKeyOf, orderableCustomers, retailPriceCents, suppKeyOf, type Scale } from './scale.ts';

/** Most lines an order can have. */
export const MAX_LINES = 7;

const F = 0x46;
const O = 0x4f;
const P = 0x50;
const N = 0x4e;
const R = 0x52;
const A = 0x41;

/**
 * Scratch state of one order and its lines, refilled by {@link fill} for each order (no per-row
 * allocation). Draws for line j of the order with stream index i use index i * 8 + j.
 */
export class OrderLines {
  count = 0;
  orderDate = 0;
  custKey = 0;
  /** O_ORDERSTATUS byte: 'F', 'O' or 'P'. */
  status = F;
  totalCents = 0;
  readonly partKey = new Float64Array(MAX_LINES);
  readonly suppKey = new Float64Array(MAX_LINES);
  readonly quantity = new Int32Array(MAX_LINES);
  readonly extCents = new Float64Array(MAX_LINES);
  readonly discount = new Int32Array(MAX_LINES);
  readonly tax = new Int32Array(MAX_LINES);
  readonly shipDate = new Int32Array(MAX_LINES);
  readonly commitDate = new Int32Array(MAX_LINES);
  readonly receiptDate = new Int32Array(MAX_LINES);
  readonly returnFlag = new Uint8Array(MAX_LINES);
  readonly lineStatus = new Uint8Array(MAX_LINES);

  constructor(private readonly scale: Scale) {}

  /** Computes the order with stream index `i` (its row position among all orders ever generated). */
  fill(i: number): void {
    const scale = this.scale;
    const count = randInt(Stream.O_LINECOUNT, i, 1, MAX_LINES);
    const orderDate = randInt(Stream.O_DATE, i, START_DATE, LAST_ORDER_DATE);
    this.count = count;
    this.orderDate = orderDate;
    this.custKey = orderCustKeyOf(randInt(Stream.O_CUSTKEY, i, 0, orderableCustomers(scale.customers) - 1));
    let shipped = 0;
    let total = 0;
    for (let lineIdx = 0; lineIdx < count; lineIdx++) {
      const d = i * 8 + lineIdx;
      const partKey = randInt(Stream.L_PARTKEY, d, 1, scale.parts);
      const quantity = randInt(Stream.L_QTY, d, 1, 50);
      const discount = randInt(Stream.L_DISCOUNT, d, 0, 10);
      const tax = randInt(Stream.L_TAX, d, 0, 8);
      const ship = orderDate + randInt(Stream.L_SHIPDAYS, d, 1, 121);
      const receipt = ship + randInt(Stream.L_RECEIPTDAYS, d, 1, 30);
      const ext = quantity * retailPriceCents(partKey);
      this.partKey[lineIdx] = partKey;
      this.suppKey[lineIdx] = suppKeyOf(partKey, randInt(Stream.L_SUPPIDX, d, 0, 3), scale.suppliers);
      this.quantity[lineIdx] = quantity;
      this.extCents[lineIdx] = ext;
      this.discount[lineIdx] = discount;
      this.tax[lineIdx] = tax;
      this.shipDate[lineIdx] = ship;
      this.commitDate[lineIdx] = orderDate + randInt(Stream.L_COMMITDAYS, d, 30, 90);
      this.receiptDate[lineIdx] = receipt;
      this.returnFlag[lineIdx] = receipt <= CURRENT_DATE ? (randInt(Stream.L_RFLAG, d, 0, 1) === 0 ? R : A) : N;
      const isShipped = ship <= CURRENT_DATE;
      this.lineStatus[lineIdx] = isShipped ? F : O;
      if (isShipped) shipped++;
      // extendedprice * (1 + tax) * (1 - discount), exact in units of 1/10000 cent.
      total += ext * (100 + tax) * (100 - discount);
    }
    this.status = shipped === count ? F : shipped === 0 ? O : P;
    this.totalCents = Math.round(total / 10_000);
  }
}

/** Sum of line counts of orders with stream indices [from, to): LINEITEM's exact row count without generating it. */
export function lineCount(from: number, to: number): number {
  let rows = 0;
  for (let i = from; i < to; i++) rows += randInt(Stream.O_LINECOUNT, i, 1, MAX_LINES);
  return rows;
}
