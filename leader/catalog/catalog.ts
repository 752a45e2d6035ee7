// The leader's durable catalog: state in memory, every change applied as a command and persisted
// atomically before it becomes visible.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/atomic-file.ts';
import { SqlError, SqlState, internalError } from '../../common/errors/index.ts';
import type { CatalogCommand } from './catalog-command.ts';
import type { CatalogState, FunctionDef, NodeDef, TableDef, ViewDef } from './catalog-types.ts';

const FILE = 'catalog.json';
/** OIDs below this belong to PostgreSQL's own catalog objects. */
const FIRST_USER_OID = 100_000;

function emptyState(): CatalogState {
  return { version: 1, nextOid: FIRST_USER_OID, schemas: ['public'], tables: [], views: [], nodes: [] };
}

/**
 * The catalog. Reads are synchronous; changes go through {@link Catalog.apply}. It is either kept
 * in one file (a single leader) or a replica of the Raft-replicated leader state
 * (leader/catalog/leader-state-machine.ts), where `apply` proposes the command and every replica
 * applies it once committed.
 */
export class Catalog {
  private state: CatalogState;
  /** Changes are serialised so each persisted file holds every earlier change. */
  private queue: Promise<void> = Promise.resolve();
  /** The next OID this leader hands out (at least the catalog's). */
  private nextLocalOid = 0;

  private constructor(private readonly dir: string | null, state: CatalogState,
    private readonly replicate: ((cmd: CatalogCommand) => Promise<void>) | null = null) {
    this.state = state;
  }

  /** A replica of the replicated catalog: `propose` commits a command through Raft, which applies it with {@link applyCommitted}. */
  static replicated(propose: (cmd: CatalogCommand) => Promise<void>): Catalog {
    return new Catalog(null, emptyState(), propose);
  }

  /** Applies a committed command (replicated catalog); throws, changing nothing, when it is refused. */
  applyCommitted(cmd: CatalogCommand): void {
    const next = structuredClone(this.state);
    applyTo(next, cmd);
    this.state = next;
  }

  /** The whole state (a snapshot of the replicated catalog). */
  exportState(): CatalogState {
    return this.state;
  }

  /** Replaces the whole state (a replica restoring a snapshot). */
  restoreState(state: CatalogState): void {
    this.state = { ...state, nodes: state.nodes.map(upgradeNode) };
  }

  /** Opens (or creates) the catalog stored in `dir`. */
  static async open(dir: string): Promise<Catalog> {
    let state: CatalogState;
    try {
      const text = await readFile(join(dir, FILE), 'utf8');
      state = JSON.parse(text) as CatalogState;
      if (state.version !== 1) throw internalError(`unsupported catalog version ${String(state.version)}`);
      state.nodes = state.nodes.map(upgradeNode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      state = emptyState();
    }
    return new Catalog(dir, state);
  }

  /** A fresh OID for a new table or view (not persisted until the command that uses it is). */
  allocateOid(): number {
    const oid = Math.max(this.nextLocalOid, this.state.nextOid);
    this.nextLocalOid = oid + 1;
    return oid;
  }

  /** Validates and applies a change, persists it (or replicates it), then makes it visible. Throws SqlError on conflicts. */
  apply(cmd: CatalogCommand): Promise<void> {
    if (this.replicate !== null) return this.replicate(cmd);
    const dir = this.dir!;
    const run = async (): Promise<void> => {
      const next = structuredClone(this.state);
      applyTo(next, cmd);
      await writeFileAtomic(join(dir, FILE), JSON.stringify(next, null, 1));
      this.state = next;
    };
    const p = this.queue.then(run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  get schemas(): readonly string[] {
    return this.state.schemas;
  }

  get tables(): readonly TableDef[] {
    return this.state.tables;
  }

  get views(): readonly ViewDef[] {
    return this.state.views;
  }

  get nodes(): readonly NodeDef[] {
    return this.state.nodes;
  }

  /** Whether any user-defined function is written in JavaScript (statements then load its engine). */
  hasJavascriptFunctions(): boolean {
    return (this.state.functions ?? []).some((f) => f.language === 'javascript');
  }

  /** User-defined functions named `name` in `schema` (overloads by argument types). */
  findFunctions(schema: string, name: string): readonly FunctionDef[] {
    return (this.state.functions ?? []).filter((f) => f.schema === schema && f.name === name);
  }

  /** The K-safety asked for at creation; undefined: automatic (see placement.ts effectiveK). */
  get kSafety(): number | undefined {
    return this.state.kSafety;
  }

  /** Total slices in the cluster: the modulus of data distribution. */
  get sliceCount(): number {
    let n = 0;
    for (const node of this.state.nodes) n += node.slices.length;
    return n;
  }

  findTable(schema: string, name: string): TableDef | undefined {
    return this.state.tables.find((t) => t.schema === schema && t.name === name);
  }

  tableByOid(oid: number): TableDef | undefined {
    return this.state.tables.find((t) => t.oid === oid);
  }

  findView(schema: string, name: string): ViewDef | undefined {
    return this.state.views.find((v) => v.schema === schema && v.name === name);
  }

  nodeById(nodeId: string): NodeDef | undefined {
    return this.state.nodes.find((n) => n.nodeId === nodeId);
  }
}

/** A node as catalogs before recovery wrote it: copies marked `complete: false` are behind. */
function upgradeNode(n: NodeDef): NodeDef {
  const old = (n.replicas ?? []) as readonly { slice: number; complete?: boolean }[];
  if (!old.some((r) => r.complete !== undefined)) return n;
  return withBehind({ ...n, replicas: old.map((r) => ({ slice: r.slice })) }, old.filter((r) => r.complete === false).map((r) => r.slice));
}

/**
 * `n` with `slices` marked behind on `tables` (undefined: every table); its epoch moves when a mark
 * is new (a slice, or a table of a slice that was behind on some tables only).
 */
function withBehind(n: NodeDef, slices: readonly number[], tables?: readonly number[]): NodeDef {
  const behind = new Set(n.behind ?? []);
  const byTable: Record<string, readonly number[]> = { ...(n.behindTables ?? {}) };
  let grew = false;
  for (const sl of slices) {
    const key = String(sl);
    if (!behind.has(sl)) {
      behind.add(sl);
      if (tables !== undefined) byTable[key] = [...tables];
      grew = true;
      continue;
    }
    const had = byTable[key];
    if (had === undefined) continue; // behind on every table already
    if (tables === undefined) { delete byTable[key]; grew = true; continue; }
    const more = tables.filter((t) => !had.includes(t));
    if (more.length > 0) { byTable[key] = [...had, ...more]; grew = true; }
  }
  if (!grew) return n;
  return { ...n, behind: [...behind].sort((a, b) => a - b), behindTables: byTable, behindEpoch: (n.behindEpoch ?? 0) + 1 };
}

/** `n` without the behind marks of slices other than `keep` accepts. */
function keepBehind(n: NodeDef, keep: (slice: number) => boolean): NodeDef {
  const behindTables: Record<string, readonly number[]> = {};
  for (const [k, v] of Object.entries(n.behindTables ?? {})) if (keep(Number(k))) behindTables[k] = v;
  return { ...n, behind: (n.behind ?? []).filter(keep), behindTables };
}

function relationExists(s: CatalogState, schema: string, name: string): boolean {
  return s.tables.some((t) => t.schema === schema && t.name === name) || s.views.some((v) => v.schema === schema && v.name === name);
}

function tableIndex(s: CatalogState, oid: number): number {
  const i = s.tables.findIndex((t) => t.oid === oid);
  if (i < 0) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation with OID ${oid} does not exist`);
  return i;
}

/** The state machine: applies one command to a state, or throws without changing anything visible. */
function applyTo(s: CatalogState, cmd: CatalogCommand): void {
  switch (cmd.kind) {
    case 'CreateSchema':
      if (s.schemas.includes(cmd.name)) throw new SqlError(SqlState.DUPLICATE_SCHEMA, `schema "${cmd.name}" already exists`);
      s.schemas.push(cmd.name);
      return;
    case 'DropSchema':
      if (!s.schemas.includes(cmd.name)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${cmd.name}" does not exist`);
      s.schemas = s.schemas.filter((x) => x !== cmd.name);
      return;
    case 'CreateTable': {
      const t = cmd.table;
      if (!s.schemas.includes(t.schema)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${t.schema}" does not exist`);
      if (relationExists(s, t.schema, t.name)) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${t.name}" already exists`);
      s.tables.push(t);
      s.nextOid = Math.max(s.nextOid, t.oid + 1);
      return;
    }
    case 'DropTable':
      s.tables.splice(tableIndex(s, cmd.oid), 1);
      return;
    case 'RenameTable': {
      const i = tableIndex(s, cmd.oid);
      const t = s.tables[i]!;
      if (relationExists(s, t.schema, cmd.newName)) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${cmd.newName}" already exists`);
      s.tables[i] = { ...t, name: cmd.newName };
      return;
    }
    case 'AddColumn': {
      const i = tableIndex(s, cmd.oid);
      const t = s.tables[i]!;
      if (t.columns.some((c) => c.name === cmd.column.name)) {
        throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${cmd.column.name}" of relation "${t.name}" already exists`);
      }
      s.tables[i] = { ...t, columns: [...t.columns, cmd.column] };
      return;
    }
    case 'RenameColumn': {
      const i = tableIndex(s, cmd.oid);
      const t = s.tables[i]!;
      if (t.columns.some((c) => c.name === cmd.newName)) {
        throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${cmd.newName}" of relation "${t.name}" already exists`);
      }
      const columns = t.columns.map((c, idx) => (idx === cmd.index ? { ...c, name: cmd.newName } : c));
      s.tables[i] = { ...t, columns };
      return;
    }
    case 'CreateView': {
      const v = cmd.view;
      const existing = s.views.findIndex((x) => x.schema === v.schema && x.name === v.name);
      if (existing >= 0 && cmd.replace) {
        s.views[existing] = v;
        return;
      }
      if (relationExists(s, v.schema, v.name)) throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${v.name}" already exists`);
      s.views.push(v);
      s.nextOid = Math.max(s.nextOid, v.oid + 1);
      return;
    }
    case 'DropView':
      s.views = s.views.filter((v) => v.oid !== cmd.oid);
      return;
    case 'RegisterNode': {
      const i = s.nodes.findIndex((n) => n.nodeId === cmd.node.nodeId);
      if (i >= 0) s.nodes[i] = cmd.node;
      else s.nodes.push(cmd.node);
      return;
    }
    case 'SetPlacement': {
      if (cmd.kSafety === undefined) delete s.kSafety;
      else s.kSafety = cmd.kSafety;
      s.nodes = s.nodes.map((n) => {
        const replicas = [...(cmd.replicas[n.nodeId] ?? [])];
        // Marks of copies this node no longer holds go with them.
        const held = new Set([...n.slices, ...replicas.map((r) => r.slice)]);
        return withBehind(keepBehind({ ...n, replicas }, (sl) => held.has(sl)), cmd.behind?.[n.nodeId] ?? []);
      });
      return;
    }
    case 'MarkBehind':
      s.nodes = s.nodes.map((n) => withBehind(n, cmd.slices[n.nodeId] ?? [], cmd.tables));
      return;
    case 'CatchUp': {
      const i = s.nodes.findIndex((n) => n.nodeId === cmd.nodeId);
      if (i < 0 || (s.nodes[i]!.behindEpoch ?? 0) !== cmd.epoch) return; // marked again meanwhile: recovery goes on
      const done = new Set(cmd.slices);
      s.nodes[i] = keepBehind(s.nodes[i]!, (sl) => !done.has(sl));
      return;
    }
    case 'SetTableStats': {
      const i = tableIndex(s, cmd.oid);
      s.tables[i] = { ...s.tables[i]!, stats: cmd.stats };
      return;
    }
    case 'CreateFunction': {
      const f = cmd.func;
      if (!s.schemas.includes(f.schema)) throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${f.schema}" does not exist`);
      const fns = s.functions ?? (s.functions = []);
      const same = fns.findIndex((x) => x.schema === f.schema && x.name === f.name && x.argTypes.length === f.argTypes.length
        && x.argTypes.every((t, i) => t.id === f.argTypes[i]!.id));
      if (same >= 0) {
        if (!cmd.replace) throw new SqlError(SqlState.DUPLICATE_FUNCTION, `function "${f.name}" already exists with same argument types`);
        if (fns[same]!.returns.id !== f.returns.id) throw new SqlError(SqlState.INVALID_FUNCTION_DEFINITION, 'cannot change return type of existing function');
        fns[same] = { ...f, oid: fns[same]!.oid };
        return;
      }
      fns.push(f);
      s.nextOid = Math.max(s.nextOid, f.oid + 1);
      return;
    }
    case 'DropFunction':
      s.functions = (s.functions ?? []).filter((f) => f.oid !== cmd.oid);
      return;
    case 'SetMaterializedView': {
      const i = tableIndex(s, cmd.oid);
      s.tables[i] = { ...s.tables[i]!, materializedView: cmd.definition };
      return;
    }
  }
}
