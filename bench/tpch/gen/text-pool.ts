// The pseudo-text pool of clause 4.2.2.14: sentences from the grammar, from which "text string [min,max]" takes substrings.
import {
  ADJECTIVES, ADVERBS, AUXILIARIES, GRAMMAR, NOUNS, NOUN_PHRASES, PREPOSITIONS, TERMINATORS, VERBS,
  VERB_PHRASES, pickIndex, type Distribution,
} from './distributions.ts';
import { SequentialRandom, Stream, randInt } from './random-stream.ts';
import type { LineWriter } from './line-writer.ts';

/** The spec's pool size: 300 MB. */
export const SPEC_TEXT_POOL_BYTES = 300 * 1024 * 1024;
/** Smallest pool used below SF 1. */
const MIN_TEXT_POOL_BYTES = 8 * 1024 * 1024;

/**
 * Pool size for a scale factor: the spec's 300 MB from SF 1 up; SF * 300 MB (at least 8 MB)
 * below, so that tiny test data sets do not pay for building 300 MB. Every pool is a prefix of
 * the full pool, so a smaller pool only narrows the offsets substrings start at.
 */
export function textPoolBytesFor(sf: number): number {
  return Math.min(SPEC_TEXT_POOL_BYTES, Math.max(MIN_TEXT_POOL_BYTES, Math.ceil(sf * SPEC_TEXT_POOL_BYTES)));
}

const SPACE = 0x20;
const COMMA = 0x2c;
const THE = Buffer.from(' the ', 'latin1');

/** Writes pseudo-text sentences into a buffer up to its end. */
class SentenceWriter {
  private pos = 0;
  private readonly rng: SequentialRandom;

  constructor(private readonly out: Buffer, seed: number) {
    this.rng = new SequentialRandom(seed);
  }

  fill(): void {
    const end = this.out.length;
    while (this.pos < end) this.sentence();
  }

  private put(bytes: Buffer): void {
    const out = this.out;
    let pos = this.pos;
    const end = out.length;
    for (let byteIdx = 0; byteIdx < bytes.length && pos < end; byteIdx++) out[pos++] = bytes[byteIdx]!;
    this.pos = pos;
  }

  private putByte(b: number): void {
    if (this.pos < this.out.length) this.out[this.pos++] = b;
  }

  private word(d: Distribution): void {
    this.put(d.bytes[pickIndex(d, this.rng.below(d.total))]!);
  }

  private nounPhrase(): void {
    const form = NOUN_PHRASES.words[pickIndex(NOUN_PHRASES, this.rng.below(NOUN_PHRASES.total))]!;
    for (let charIdx = 0; charIdx < form.length; charIdx++) {
      const c = form[charIdx];
      if (charIdx > 0 && c !== ',') this.putByte(SPACE);
      if (c === 'N') this.word(NOUNS);
      else if (c === 'J') this.word(ADJECTIVES);
      else if (c === 'D') this.word(ADVERBS);
      else this.putByte(COMMA);
    }
  }

  private verbPhrase(): void {
    const form = VERB_PHRASES.words[pickIndex(VERB_PHRASES, this.rng.below(VERB_PHRASES.total))]!;
    for (let charIdx = 0; charIdx < form.length; charIdx++) {
      const c = form[charIdx];
      if (charIdx > 0) this.putByte(SPACE);
      if (c === 'V') this.word(VERBS);
      else if (c === 'X') this.word(AUXILIARIES);
      else this.word(ADVERBS);
    }
  }

  private sentence(): void {
    const form = GRAMMAR.words[pickIndex(GRAMMAR, this.rng.below(GRAMMAR.total))]!;
    for (let charIdx = 0; charIdx < form.length; charIdx++) {
      const c = form[charIdx];
      if (c === 'T') {
        this.word(TERMINATORS);
        this.putByte(SPACE);
        continue;
      }
      if (charIdx > 0) this.putByte(SPACE);
      if (c === 'N') this.nounPhrase();
      else if (c === 'V') this.verbPhrase();
      else {
        this.word(PREPOSITIONS);
        this.put(THE);
        this.nounPhrase();
      }
    }
  }
}

/** The pool bytes, with the "text string [min, max]" substring operation. */
export class TextPool {
  constructor(readonly bytes: Buffer) {}

  /** Pool size in bytes. */
  get size(): number {
    return this.bytes.length;
  }

  /**
   * Writes a text string [min, max] for draw `index` of `stream`: a substring of random length in
   * [min, max] at a random offset (two draws: 2*index, 2*index+1).
   */
  write(out: LineWriter, stream: number, index: number, min: number, max: number): void {
    const len = randInt(stream, index * 2, min, max);
    const offset = randInt(stream, index * 2 + 1, 0, this.bytes.length - max);
    out.slice(this.bytes, offset, len);
  }
}

let cached: TextPool | undefined;

/** The pool of `bytes` bytes (built once per process; a smaller request reuses the prefix of a larger). */
export function textPool(bytes: number): TextPool {
  if (cached !== undefined && cached.size >= bytes) {
    return cached.size === bytes ? cached : new TextPool(cached.bytes.subarray(0, bytes));
  }
  const buf = Buffer.allocUnsafe(bytes);
  new SentenceWriter(buf, Stream.TEXT_POOL).fill();
  cached = new TextPool(buf);
  return cached;
}
