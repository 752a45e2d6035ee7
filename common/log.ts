// Builds the one root pino logger of a process: JSON lines, pretty when stdout is a terminal.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options for {@link createRootLogger}. */
export interface RootLoggerOptions {
  /** Process role, e.g. 'leader' or 'compute'; every line carries it. */
  role: string;
  level?: string;
  /** Force pretty (true) or JSON (false); default: pretty on a TTY. */
  pretty?: boolean;
}

/** Creates the process's root logger. Call once in an entry point; elsewhere use `log.child`. */
export function createRootLogger(opts: RootLoggerOptions): Logger {
  const level = opts.level ?? process.env.COLONNADE_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? (process.stdout.isTTY === true);
  const base = { role: opts.role, pid: process.pid };
  const redact = { paths: ['password', '*.password', 'connectionString', '*.connectionString'], censor: '[redacted]' };
  if (pretty) {
    return pino({
      level, base, redact,
      transport: { target: 'pino-pretty', options: { colorize: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss.l' } },
    });
  }
  return pino({ level, base, redact });
}

/** A logger that drops everything: for tests and library use without a process entry point. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
