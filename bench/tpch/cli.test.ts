// The tpch CLI: gen writes files (whole and by part), queries prints 22 statements, ddl both dialects, usage errors exit 2.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runTpchCli } from './cli.ts';

let dir = '';
let stdout = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tpch-cli-'));
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe('tpch CLI', () => {
  it('gen writes the 8 tables, and parts that concatenate to them', async () => {
    expect(await runTpchCli(['gen', '--sf', '0.002', '--out', dir])).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['customer', 'lineitem', 'nation', 'orders', 'part', 'partsupp', 'region', 'supplier'].map((t) => `${t}.tbl`));
    const whole = readFileSync(join(dir, 'orders.tbl'), 'latin1');
    expect(whole.split('\n').length - 1).toBe(3000);
    const partsDir = join(dir, 'parts');
    expect(await runTpchCli(['gen', '--sf', '0.002', '--out', partsDir, '--parts', '2', '--tables', 'orders'])).toBe(0);
    expect(readFileSync(join(partsDir, 'orders.tbl.1'), 'latin1') + readFileSync(join(partsDir, 'orders.tbl.2'), 'latin1')).toBe(whole);
  });

  it('queries prints the 22 queries; ddl prints both dialects', async () => {
    expect(await runTpchCli(['queries'])).toBe(0);
    expect(stdout.match(/^-- Q\d+:/gm)?.length).toBe(22);
    expect(stdout).toContain("r_name = 'EUROPE'");
    stdout = '';
    expect(await runTpchCli(['queries', '--seed', '3'])).toBe(0);
    expect(stdout.match(/;\n/g)?.length).toBe(22);
    stdout = '';
    expect(await runTpchCli(['ddl'])).toBe(0);
    expect(stdout).toContain('DISTKEY(l_orderkey)\nSORTKEY(l_shipdate)');
    expect(stdout).toContain('DISTSTYLE ALL');
    stdout = '';
    expect(await runTpchCli(['ddl', '--plain'])).toBe(0);
    expect(stdout).not.toContain('DISTKEY');
    expect(stdout).toContain('ADD PRIMARY KEY (l_orderkey, l_linenumber)');
  });

  it('reports usage errors with exit code 2', async () => {
    expect(await runTpchCli(['gen', '--sf', '1'])).toBe(2);
    expect(await runTpchCli(['gen', '--out', dir, '--parts', '2', '--part', '3'])).toBe(2);
    expect(await runTpchCli(['bogus'])).toBe(2);
    expect(await runTpchCli(['queries', '--nope', '1'])).toBe(2);
  });
});
