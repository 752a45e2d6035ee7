// Runs the SELECT-surface .slt files (joins, subqueries, VALUES, ...) on PGlite, which proves the
// expected results are PostgreSQL's, and on 2-node Colonnade clusters, which must give the same.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { connectPgRunner, createPgliteRunner, defineSltSuite } from '../../harness/index.ts';
import { startCluster, type LocalCluster } from '../../cluster/local-cluster.ts';

const DIR = join(import.meta.dirname, '.');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.slt')).sort().map((f) => join(DIR, f));

describe('SELECT .slt files on PostgreSQL (PGlite)', () => {
  defineSltSuite(FILES, () => createPgliteRunner('postgres'));
});

// The tables are small, so joins run on the leader; the second cluster sends every join it can to
// the slices instead (COLONNADE_MIN_PROBE_ROWS=0).
for (const [label, env] of [['', {}], [' with joins on the slices', { COLONNADE_MIN_PROBE_ROWS: '0' }]] as const) {
  describe(`SELECT .slt files on a Colonnade cluster${label}`, () => {
    let cluster: LocalCluster;
    beforeAll(async () => { cluster = await startCluster({ nodes: 2, slices: 1, env }); }, 90_000);
    afterAll(async () => { await cluster?.destroy(); });
    defineSltSuite(FILES, () => connectPgRunner(`postgres://colonnade@127.0.0.1:${cluster.port}/dev`, 'colonnade'), { timeoutMs: 60_000 });
  });
}
