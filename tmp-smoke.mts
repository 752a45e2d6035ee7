import { parseAll, cols, opts } from './compute/loading/copy-test-helpers.ts';
import { T } from './sql/types/sql-type.ts';
const c = cols(['a!', T.int4], ['b', T.text], ['c', T.numeric(10, 2)], ['d', T.date], ['e', T.timestamp], ['f', T.int8], ['g', T.varchar(3)]);
const r = parseAll(opts(), c, "1\tx\t1.234\t2020-01-02\t2020-01-02 03:04:05.5\t123\tabc\n2\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n3\ta\\tb\\x41\\101\t-0.005\t01/31/2020\t2020-01-02T03:04:05Z\t99999999999999999\tab \n");
console.log(r.rows, r.summary);
try { parseAll(opts(), c, "1\tx\t1.234\t2020-01-02\t2020-01-02 03:04:05.5\t123\tabcd\n"); } catch (e) { console.log(e); }
const r2 = parseAll(opts(['maxerror', 5]), c, "x\tx\t1.234\t2020-01-02\t2020-01-02 03:04:05.5\t123\tabc\n4|\n\\N\t\t\t\t\t\t\n");
console.log(r2.rows, r2.rejected);
const csv = parseAll(opts(['format', 'csv'], ['header', true]), cols(['a', T.int4], ['b', T.text]), 'a,b\n1,"x,""y"""\n2,\n3,""\n4,"multi\nline"\r\n');
console.log(csv.rows);
