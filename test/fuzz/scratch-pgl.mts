import { PGlite } from '@electric-sql/pglite';
const p = await PGlite.create();
console.log((await p.query('select datcollate, datctype, version() from pg_database where datname = current_database()')).rows);
console.log((await p.query("select 'B' < 'a' as x, 'a' < 'B' as y")).rows);
try { await p.query('select 1/0'); } catch (e) { console.log((e as {code: string}).code, (e as Error).constructor.name); }
