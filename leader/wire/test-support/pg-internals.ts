// Reads node-postgres's untyped BackendKeyData fields (processID, secretKey) in one narrowed place.
import type pg from 'pg';

/** The cancel key node-postgres received in BackendKeyData. */
export function cancelKeyOf(client: pg.Client): { processId: number; secretKey: number } {
  // @types/pg does not declare these fields; read them as unknown and check.
  const fields: unknown = client;
  const { processID, secretKey } = fields as { processID?: unknown; secretKey?: unknown };
  if (typeof processID !== 'number' || typeof secretKey !== 'number') throw new Error('client has no BackendKeyData yet');
  return { processId: processID, secretKey };
}
