// Loads libpg-query's WASM module once per process, so the synchronous parse/scan calls can run.
import { loadModule } from 'libpg-query';
import { internalError } from '../../common/errors/index.ts';

let ready = false;
let loading: Promise<void> | undefined;

/**
 * Loads the PostgreSQL parser (WASM). Await once at process start (and in test setup) before
 * calling {@link parseStatements}; repeated calls share the same load.
 */
export function initParser(): Promise<void> {
  if (loading === undefined) {
    loading = loadModule().then(() => { ready = true; });
  }
  return loading;
}

/** True once {@link initParser} has finished. */
export function isParserReady(): boolean {
  return ready;
}

/** Throws XX000 when the parser was used before {@link initParser} finished: a startup-order bug. */
export function assertParserReady(): void {
  if (!ready) throw internalError('SQL parser used before initParser() finished');
}
