// The deterministic bytes store-writer-process.ts writes at each index, so a reader can verify them.

/** The bytes stored at `index` (1..1500 bytes, varying with the index). */
export function payloadFor(index: number): Uint8Array {
  const len = 1 + ((index * 7919) % 1500);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (index + i * 31) & 0xff;
  return out;
}
