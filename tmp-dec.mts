import { decompressChunks } from './compute/loading/decompress-stream.ts';
import { compressFrameSync } from 'lz4-napi';
import { gzipSync } from 'node:zlib';
import { execSync } from 'node:child_process';
const text = Array.from({ length: 20000 }, (_, i) => `${i}|line number ${i % 97}|${'x'.repeat(i % 13)}\n`).join('');
const raw = Buffer.from(text);
async function* chunks(b: Uint8Array, n: number) { for (let i = 0; i < b.length; i += n) yield b.subarray(i, i + n); }
async function collect(it: AsyncIterable<Uint8Array>) { const parts: Uint8Array[] = []; for await (const c of it) parts.push(c); return Buffer.concat(parts); }
const lz = compressFrameSync(raw);
console.log('lz4-napi', (await collect(decompressChunks(chunks(lz, 777), 'lz4'))).equals(raw));
const cli = execSync('lz4 -BD -B4 -c', { input: raw });
console.log('lz4 cli linked', cli.length, (await collect(decompressChunks(chunks(cli, 1000), 'lz4'))).equals(raw));
const gz = gzipSync(raw);
console.log('gzip', (await collect(decompressChunks(chunks(gz, 333), 'gzip'))).equals(raw));
const zs = execSync('zstd -c -3', { input: raw });
console.log('zstd absent', await collect(decompressChunks(chunks(zs, 500), 'zstd')).catch((e) => e.code + ' ' + e.message));
const imp = (name: string) => import('/tmp/fz/node_modules/fzstd/esm/index.mjs');
console.log('zstd fzstd', (await collect(decompressChunks(chunks(zs, 500), 'zstd', { importer: imp }))).equals(raw));
try { await collect(decompressChunks(chunks(gz.subarray(0, 100), 50), 'gzip')); } catch (e: any) { console.log('gz trunc', e.code, e.message); }
try { await collect(decompressChunks(chunks(Buffer.from('hello world garbage'), 5), 'gzip')); } catch (e: any) { console.log('gz bad', e.code, e.message); }
