// Generator tests: spec cardinalities, value ranges and formats, determinism, and parts concatenating to the whole.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COLORS, NATIONS } from './distributions.ts';
import { CURRENT_DATE, END_DATE, START_DATE, epochDay } from './dates.ts';
import { generateTableChunks, tableRowCount, type GenerateOptions } from './generate.ts';
import { orderKeyOf, retailPriceCents, scaleFor, suppKeyOf } from './scale.ts';
import { TABLE_NAMES, type TableName } from './table-spec.ts';

function text(table: TableName, opts: GenerateOptions): string {
  return Buffer.concat([...generateTableChunks(table, opts)]).toString('latin1');
}

/** Rows split into fields, dropping the empty field after the trailing '|'. */
function rows(table: TableName, opts: GenerateOptions): string[][] {
  const out: string[][] = [];
  for (const line of text(table, opts).split('\n')) {
    if (line === '') continue;
    expect(line.endsWith('|')).toBe(true);
    out.push(line.slice(0, -1).split('|'));
  }
  return out;
}

const day = (s: string): number => epochDay(Number(s.slice(0, 4)), Number(s.slice(5, 7)), Number(s.slice(8, 10)));
const cents = (s: string): number => Math.round(Number(s) * 100);
const DECIMAL = /^-?\d+\.\d\d$/;
const DATE = /^\d{4}-\d\d-\d\d$/;

const SF = 0.01;
const data = Object.fromEntries(TABLE_NAMES.map((t) => [t, rows(t, { sf: SF })])) as Record<TableName, string[][]>;

describe('cardinalities', () => {
  it('match the spec at SF 0.01 (generated)', () => {
    const expected: Partial<Record<TableName, number>> = {
      region: 5, nation: 25, part: 2000, supplier: 100, partsupp: 8000, customer: 1500, orders: 15000,
    };
    for (const [table, count] of Object.entries(expected)) expect(data[table as TableName].length, table).toBe(count);
    expect(data.lineitem.length).toBe(tableRowCount('lineitem', { sf: SF }));
    expect(Math.abs(data.lineitem.length - 60_000)).toBeLessThan(60_000 * 0.02);
  });

  it('match the spec at SF 0.1 and SF 1 (key-range arithmetic)', () => {
    for (const sf of [0.1, 1]) {
      expect(tableRowCount('supplier', { sf })).toBe(sf * 10_000);
      expect(tableRowCount('part', { sf })).toBe(sf * 200_000);
      expect(tableRowCount('partsupp', { sf })).toBe(sf * 800_000);
      expect(tableRowCount('customer', { sf })).toBe(sf * 150_000);
      expect(tableRowCount('orders', { sf })).toBe(sf * 1_500_000);
      expect(tableRowCount('nation', { sf })).toBe(25);
      expect(tableRowCount('region', { sf })).toBe(5);
    }
    const lineitems = tableRowCount('lineitem', { sf: 1 });
    expect(Math.abs(lineitems - 6_000_000)).toBeLessThan(6_000_000 * 0.005);
  });

  it('generates all of ORDERS at SF 0.1 with sparse keys and orderable customers', () => {
    const orders = rows('orders', { sf: 0.1 });
    expect(orders.length).toBe(150_000);
    for (let rowIdx = 0; rowIdx < orders.length; rowIdx += 997) {
      expect(Number(orders[rowIdx]![0])).toBe(orderKeyOf(rowIdx));
    }
    const last = orders[orders.length - 1]!;
    expect(Number(last[0])).toBe(Math.floor((150_000 - 1) / 8) * 32 + 8);
    expect(orders.filter((o) => Number(o[1]) % 3 === 0 || Number(o[1]) > 15_000)).toEqual([]);
  });
});

describe('values and formats (SF 0.01)', () => {
  const scale = scaleFor(SF);

  it('region and nation', () => {
    expect(data.region.map((r) => r[1])).toEqual(['AFRICA', 'AMERICA', 'ASIA', 'EUROPE', 'MIDDLE EAST']);
    data.nation.forEach((n, key) => {
      expect(n[0]).toBe(String(key));
      expect(n[1]).toBe(NATIONS[key]!.name);
      expect(n[2]).toBe(String(NATIONS[key]!.regionKey));
      expect(n[3]!.length).toBeGreaterThanOrEqual(31);
      expect(n[3]!.length).toBeLessThanOrEqual(114);
    });
  });

  it('part: names of 5 distinct colors, brand from manufacturer, price formula', () => {
    data.part.forEach((p, rowIdx) => {
      const key = rowIdx + 1;
      expect(p[0]).toBe(String(key));
      const words = p[1]!.split(' ');
      expect(words.length).toBe(5);
      expect(new Set(words).size).toBe(5);
      for (const w of words) expect(COLORS).toContain(w);
      const m = /^Manufacturer#([1-5])$/.exec(p[2]!);
      expect(m).not.toBeNull();
      expect(p[3]).toMatch(new RegExp(`^Brand#${m![1]}[1-5]$`));
      expect(Number(p[5])).toBeGreaterThanOrEqual(1);
      expect(Number(p[5])).toBeLessThanOrEqual(50);
      expect(p[7]).toMatch(DECIMAL);
      expect(cents(p[7]!)).toBe(retailPriceCents(key));
      expect(p[8]!.length).toBeGreaterThanOrEqual(5);
      expect(p[8]!.length).toBeLessThanOrEqual(22);
    });
  });

  it('supplier and customer: names, phones, balances, remarks', () => {
    for (const [table, prefix] of [['supplier', 'Supplier#'], ['customer', 'Customer#']] as const) {
      data[table].forEach((r, rowIdx) => {
        expect(r[1]).toBe(`${prefix}${String(rowIdx + 1).padStart(9, '0')}`);
        expect(r[2]!.length).toBeGreaterThanOrEqual(10);
        expect(r[2]!.length).toBeLessThanOrEqual(40);
        const nation = Number(r[3]);
        expect(nation).toBeGreaterThanOrEqual(0);
        expect(nation).toBeLessThanOrEqual(24);
        expect(r[4]).toMatch(new RegExp(`^${nation + 10}-[1-9]\\d\\d-[1-9]\\d\\d-[1-9]\\d{3}$`));
        expect(r[5]).toMatch(DECIMAL);
        expect(cents(r[5]!)).toBeGreaterThanOrEqual(-99_999);
        expect(cents(r[5]!)).toBeLessThanOrEqual(999_999);
      });
    }
    const complaints = data.supplier.filter((s) => /Customer.*Complaints/.test(s[6]!)).length;
    const recommends = data.supplier.filter((s) => /Customer.*Recommends/.test(s[6]!)).length;
    expect(complaints).toBe(scale.complaintRows);
    expect(recommends).toBe(scale.complaintRows);
    for (const s of data.supplier) expect(s[6]!.length).toBeLessThanOrEqual(100);
    for (const c of data.customer) expect(['AUTOMOBILE', 'BUILDING', 'FURNITURE', 'HOUSEHOLD', 'MACHINERY']).toContain(c[6]);
  });

  it('partsupp: 4 suppliers per part by the formula, quantities and costs in range', () => {
    data.partsupp.forEach((ps, rowIdx) => {
      const partKey = Math.floor(rowIdx / 4) + 1;
      expect(Number(ps[0])).toBe(partKey);
      expect(Number(ps[1])).toBe(suppKeyOf(partKey, rowIdx % 4, scale.suppliers));
      expect(Number(ps[2])).toBeGreaterThanOrEqual(1);
      expect(Number(ps[2])).toBeLessThanOrEqual(9999);
      expect(ps[3]).toMatch(DECIMAL);
      expect(cents(ps[3]!)).toBeGreaterThanOrEqual(100);
      expect(cents(ps[3]!)).toBeLessThanOrEqual(100_000);
    });
    const pairs = new Set(data.partsupp.map((ps) => `${ps[0]}|${ps[1]}`));
    expect(pairs.size).toBe(data.partsupp.length);
  });

  it('orders and lineitem: dates, flags, prices and totals follow the rules', () => {
    // Plain checks collected into a list: 60,000 rows times a dozen expect() calls is slow.
    const problems: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok && problems.length < 20) problems.push(what);
    };
    const byKey = new Map(data.orders.map((o) => [o[0]!, o]));
    const partsupp = new Set(data.partsupp.map((ps) => `${ps[0]}|${ps[1]}`));
    const linesOf = new Map<string, string[][]>();
    for (const l of data.lineitem) {
      const order = byKey.get(l[0]!);
      if (order === undefined) {
        check(false, `lineitem of missing order ${l[0]}`);
        continue;
      }
      const orderDate = day(order[4]!);
      const [ship, commit, receipt] = [day(l[10]!), day(l[11]!), day(l[12]!)];
      const row = l.join('|');
      check(DATE.test(l[10]!) && DATE.test(l[11]!) && DATE.test(l[12]!), `date format: ${row}`);
      check(ship - orderDate >= 1 && ship - orderDate <= 121, `shipdate: ${row}`);
      check(commit - orderDate >= 30 && commit - orderDate <= 90, `commitdate: ${row}`);
      check(receipt - ship >= 1 && receipt - ship <= 30, `receiptdate: ${row}`);
      check(receipt <= CURRENT_DATE ? l[8] === 'R' || l[8] === 'A' : l[8] === 'N', `returnflag: ${row}`);
      check(l[9] === (ship > CURRENT_DATE ? 'O' : 'F'), `linestatus: ${row}`);
      check([l[4], l[5], l[6], l[7]].every((f) => DECIMAL.test(f!)), `decimal format: ${row}`);
      const qty = Number(l[4]);
      check(Number.isInteger(qty) && qty >= 1 && qty <= 50, `quantity: ${row}`);
      check(cents(l[5]!) === qty * retailPriceCents(Number(l[1])), `extendedprice: ${row}`);
      check(cents(l[6]!) >= 0 && cents(l[6]!) <= 10 && cents(l[7]!) >= 0 && cents(l[7]!) <= 8, `discount/tax: ${row}`);
      check(partsupp.has(`${l[1]}|${l[2]}`), `part/supplier not in partsupp: ${row}`);
      const list = linesOf.get(l[0]!) ?? [];
      list.push(l);
      linesOf.set(l[0]!, list);
    }
    for (const o of data.orders) {
      const row = o.join('|');
      const orderDate = day(o[4]!);
      check(orderDate >= START_DATE && orderDate <= END_DATE - 151, `orderdate: ${row}`);
      check(Number(o[1]) % 3 !== 0 && Number(o[1]) <= scale.customers, `custkey: ${row}`);
      check(/^Clerk#\d{9}$/.test(o[6]!) && Number(o[6]!.slice(6)) <= scale.clerks, `clerk: ${row}`);
      const lines = linesOf.get(o[0]!) ?? [];
      check(lines.length >= 1 && lines.length <= 7, `line count: ${row}`);
      check(lines.every((l, lineIdx) => Number(l[3]) === lineIdx + 1), `linenumbers: ${row}`);
      const statuses = new Set(lines.map((l) => l[9]));
      check(o[2] === (statuses.size === 2 ? 'P' : statuses.has('F') ? 'F' : 'O'), `orderstatus: ${row}`);
      const total = lines.reduce((sum, l) => sum + cents(l[5]!) * (100 + cents(l[7]!)) * (100 - cents(l[6]!)), 0);
      check(cents(o[3]!) === Math.round(total / 10_000), `totalprice: ${row}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('determinism', () => {
  const digest = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');

  it('gives the same bytes twice', () => {
    for (const table of ['lineitem', 'supplier', 'part'] as const) {
      const a = digest(Buffer.concat([...generateTableChunks(table, { sf: SF })]));
      const b = digest(Buffer.concat([...generateTableChunks(table, { sf: SF, chunkBytes: 4096 })]));
      expect(a, table).toBe(b);
    }
  });

  it('concatenated parts equal the whole table', () => {
    for (const table of TABLE_NAMES) {
      const whole = Buffer.concat([...generateTableChunks(table, { sf: SF })]);
      const parts: Buffer[] = [];
      let rowSum = 0;
      for (let part = 1; part <= 3; part++) {
        parts.push(...generateTableChunks(table, { sf: SF, parts: 3, part }));
        rowSum += tableRowCount(table, { sf: SF, parts: 3, part });
      }
      expect(digest(Buffer.concat(parts)), table).toBe(digest(whole));
      expect(rowSum, table).toBe(data[table].length);
    }
  });

  it('hands out chunks of whole lines', () => {
    for (const chunk of generateTableChunks('orders', { sf: SF, chunkBytes: 10_000 })) {
      expect(chunk[chunk.length - 1]).toBe(0x0a);
      expect(chunk.length).toBeLessThan(10_000 + 4096);
    }
  });

  it('rejects bad part arguments', () => {
    expect(() => tableRowCount('orders', { sf: SF, parts: 2, part: 3 })).toThrow(RangeError);
    expect(() => tableRowCount('orders', { sf: 0 })).toThrow(RangeError);
  });
});

describe('tiny scale factors', () => {
  it('keep PARTSUPP keys unique below SF 0.01 (where the spec formula repeats suppliers)', () => {
    for (const sf of [0.002, 0.005, 0.0005]) {
      const ps = rows('partsupp', { sf });
      expect(new Set(ps.map((r) => `${r[0]}|${r[1]}`)).size, `SF ${sf}`).toBe(ps.length);
    }
  });
});
