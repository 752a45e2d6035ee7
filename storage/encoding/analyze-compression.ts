// ANALYZE COMPRESSION: encodes sample rows block by block as a load would and reports, per
// column, the encoding it would choose and the saving against RAW (Redshift's est_reduction_pct).
import type { Batch } from '../../compute/batch/batch.ts';
import type { StoredTable } from '../slice-store.ts';
import { layoutOf } from '../column-kind.ts';
import { RowBuffer } from '../row-buffer.ts';
import { fillNullPlaceholders, sliceVector } from '../vector-ops.ts';
import { encodeValues } from './value-codec.ts';
import { AUTO_POLICY, redshiftNameOf } from './encoding-policy.ts';
import { EncodingId, ENCODING_NAMES, type EncodingIdValue } from './codec.ts';
import { RawEncoding } from './raw.ts';
import { computeBlockStats } from './block-stats.ts';

/** One row of ANALYZE COMPRESSION output. */
export interface CompressionAdvice {
  readonly column: string;
  /** The Redshift encoding name closest to what we would use (for the ENCODE clause). */
  readonly encoding: string;
  /** Our codec, e.g. "for", "dict+lz4". */
  readonly codec: string;
  /** Percent of RAW bytes saved, rounded to 2 decimals. */
  readonly estReductionPct: number;
  readonly rawBytes: number;
  readonly encodedBytes: number;
  readonly sampledRows: number;
}

const SAMPLE_BLOCK_ROWS = 65536;

/** Analyzes sample batches (columns in table order; selections honoured). */
export function analyzeCompression(table: StoredTable, samples: readonly Batch[]): CompressionAdvice[] {
  const layouts = table.columns.map((c) => layoutOf(c.type));
  const buf = new RowBuffer(layouts, 4096);
  for (const b of samples) buf.appendRows(b.columns, b.length, b.selection);
  const cols = buf.toVectors();
  const n = buf.length;
  return table.columns.map((col, c) => {
    const layout = layouts[c]!;
    let raw = 0;
    let encoded = 0;
    const votes = new Map<string, { bytes: number; id: EncodingIdValue; lz4: boolean }>();
    for (let a = 0; a < n; a += SAMPLE_BLOCK_ROWS) {
      const v = fillNullPlaceholders(sliceVector(cols[c]!, a, Math.min(n, a + SAMPLE_BLOCK_ROWS)));
      raw += layout.kind === 'bigdecimal' ? v.length * 17 : RawEncoding.estimate(v, computeBlockStats(v), layout);
      const e = encodeValues(v, layout, AUTO_POLICY);
      encoded += e.bytes.length;
      const key = `${ENCODING_NAMES[e.encoding]}${e.lz4 ? '+lz4' : ''}`;
      const prev = votes.get(key);
      votes.set(key, { bytes: (prev?.bytes ?? 0) + v.length, id: e.encoding, lz4: e.lz4 });
    }
    let best: [string, { bytes: number; id: EncodingIdValue; lz4: boolean }] = ['raw', { bytes: 0, id: EncodingId.RAW, lz4: false }];
    for (const entry of votes) if (entry[1].bytes > best[1].bytes) best = entry;
    const pct = raw === 0 ? 0 : Math.round(((raw - encoded) / raw) * 10000) / 100;
    return {
      column: col.name, encoding: redshiftNameOf(best[1].id, best[1].lz4), codec: best[0],
      estReductionPct: pct, rawBytes: raw, encodedBytes: encoded, sampledRows: n,
    };
  });
}
