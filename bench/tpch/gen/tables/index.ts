// The table generators by name: one Record so a missing table is a compile error.
import type { TableName, TableSpec } from '../table-spec.ts';
import { customerTable } from './customer.ts';
import { lineitemTable } from './lineitem.ts';
import { nationTable } from './nation.ts';
import { ordersTable } from './orders.ts';
import { partTable } from './part.ts';
import { partsuppTable } from './partsupp.ts';
import { regionTable } from './region.ts';
import { supplierTable } from './supplier.ts';

/** Every table's generator. */
export const TABLES: Record<TableName, TableSpec> = {
  region: regionTable,
  nation: nationTable,
  part: partTable,
  supplier: supplierTable,
  partsupp: partsuppTable,
  customer: customerTable,
  orders: ordersTable,
  lineitem: lineitemTable,
};
