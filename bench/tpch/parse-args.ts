// A small `--name value` / `--flag` command-line parser shared by the tpch CLI and the benchmark runner.

/** Parsed arguments: positionals in order, options by name (a bare flag is 'true'). */
export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string>;
}

/** Parses argv; `flags` names options that take no value. Accepts `--name=value` too. */
export function parseArgs(argv: readonly string[], flags: readonly string[] = []): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string>();
  for (let argIdx = 0; argIdx < argv.length; argIdx++) {
    const arg = argv[argIdx]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      options.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (flags.includes(arg.slice(2))) {
      options.set(arg.slice(2), 'true');
    } else {
      const value = argv[argIdx + 1];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      options.set(arg.slice(2), value);
      argIdx++;
    }
  }
  return { positionals, options };
}

/** A command-line mistake: reported with usage, exit code 2. */
export class UsageError extends Error {}

/** A numeric option; `fallback` when absent. Rejects non-numbers and values outside [min, max]. */
export function numberOption(args: ParsedArgs, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  const raw = args.options.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return n;
}

/** An optional numeric option. */
export function optionalNumber(args: ParsedArgs, name: string): number | undefined {
  return args.options.has(name) ? numberOption(args, name, 0) : undefined;
}

/** Rejects options not in `known`. */
export function checkKnown(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.options.keys()) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
}
