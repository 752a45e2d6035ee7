// The trailing-'|' stripper, including a '|' and its newline split across two chunks.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { StripTrailingDelimiter, stripTrailingDelimiters } from './strip-trailing-delimiter.ts';

async function through(chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  const stream = Readable.from(chunks.map((c) => Buffer.from(c))).pipe(new StripTrailingDelimiter());
  for await (const c of stream) out.push(c as Buffer);
  return Buffer.concat(out).toString();
}

describe('stripTrailingDelimiters', () => {
  it('removes only the | before a newline', () => {
    expect(stripTrailingDelimiters(Buffer.from('1|a|b|\n2|c||\n'), false).out.toString()).toBe('1|a|b\n2|c|\n');
  });

  it('works across chunk boundaries', async () => {
    expect(await through(['1|a|', '\n2|b', '|', '\n'])).toBe('1|a\n2|b\n');
    expect(await through(['1|a|', 'b|\n'])).toBe('1|a|b\n');
    expect(await through(['x|'])).toBe('x|');
  });
});
