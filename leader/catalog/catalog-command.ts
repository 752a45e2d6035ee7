// Catalog changes as data: every DDL becomes one command applied atomically (later: a Raft log entry).
import type { ColumnDef, FunctionDef, NodeDef, ReplicaDef, TableDef, TableStats, ViewDef } from './catalog-types.ts';

/** One atomic change to the catalog. */
export type CatalogCommand =
  | { readonly kind: 'CreateSchema'; readonly name: string }
  | { readonly kind: 'DropSchema'; readonly name: string }
  | { readonly kind: 'CreateTable'; readonly table: TableDef }
  | { readonly kind: 'DropTable'; readonly oid: number }
  | { readonly kind: 'RenameTable'; readonly oid: number; readonly newName: string }
  | { readonly kind: 'AddColumn'; readonly oid: number; readonly column: ColumnDef }
  | { readonly kind: 'RenameColumn'; readonly oid: number; readonly index: number; readonly newName: string }
  | { readonly kind: 'CreateView'; readonly view: ViewDef; readonly replace: boolean }
  | { readonly kind: 'DropView'; readonly oid: number }
  | { readonly kind: 'RegisterNode'; readonly node: NodeDef }
  /**
   * Every node's copies of other nodes' slices (K-safety placement), and the K asked for; `behind`:
   * each node's slices that miss rows from now on (copies that moved to it after data existed).
   */
  | { readonly kind: 'SetPlacement'; readonly kSafety: number | undefined; readonly replicas: Readonly<Record<string, readonly ReplicaDef[]>>;
    readonly behind?: Readonly<Record<string, readonly number[]>> }
  /**
   * These nodes' slices missed a committed change (their node was down, or failed its part of a
   * write) to `tables`; absent: to any table (DDL of the whole cluster, a new disk).
   */
  | { readonly kind: 'MarkBehind'; readonly slices: Readonly<Record<string, readonly number[]>>; readonly tables?: readonly number[] }
  /** Recovery caught these slices of a node up; applies only if the node's behindEpoch is still `epoch`. */
  | { readonly kind: 'CatchUp'; readonly nodeId: string; readonly slices: readonly number[]; readonly epoch: number }
  | { readonly kind: 'SetTableStats'; readonly oid: number; readonly stats: TableStats }
  /** Marks a table as a materialized view defined by `definition` (its CREATE statement's text). */
  | { readonly kind: 'SetMaterializedView'; readonly oid: number; readonly definition: string }
  | { readonly kind: 'CreateFunction'; readonly func: FunctionDef; readonly replace: boolean }
  | { readonly kind: 'DropFunction'; readonly oid: number };
