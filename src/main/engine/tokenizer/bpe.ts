// Byte-level BPE, in the spirit of minbpe's RegexTokenizer: text is cut into words by the GPT-2
// pattern, and each word's UTF-8 bytes are merged pair by pair in the order the merges were learned.
// Training counts every distinct word once (with its frequency) and updates pair counts incrementally,
// so a megabyte of text trains to 1024 ids in about a second. It is not SentencePiece or Unigram and
// has no normalizer: decode(encode(s)) === s for every well-formed string (a lone UTF-16 surrogate
// is not UTF-8 and comes back as U+FFFD). Special tokens are atomic and come only from
// `encodeWithSpecials` or a chat template, never from `encode`: the text "<|im_end|>" is ordinary text.
import type { Tokenizer } from './types';

/**
 * GPT-2's pre-tokenization pattern (openai/gpt-2 encoder.py) as HF's ByteLevel pre-tokenizer runs it:
 * `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`, where \s is
 * Oniguruma's (tab–CR, U+0085 and the Zs/Zl/Zp separators), not JavaScript's (which adds U+FEFF and
 * lacks U+0085), so the class is spelled out.
 */
const WS = String.raw`\t-\r\x85\p{Zs}\p{Zl}\p{Zp}`;
export const GPT2_PATTERN = new RegExp(
  String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^${WS}\p{L}\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`,
  'gu',
);

/** The special tokens a tokenizer trained by the lab carries, so every chat template finds its markers. */
export const DEFAULT_SPECIALS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<s>',
  '</s>',
  '<|pad|>',
] as const;

/** One learned merge: the pair (left, right) becomes id. Its rank is its index in `merges`. */
export interface BpeMerge {
  left: number;
  right: number;
  id: number;
}

/** Everything a BPE tokenizer is made of; what `train` and `fromTokenizerJson` build. */
export interface BpeModel {
  /** id → the bytes it stands for; undefined for special tokens and unused ids. Must hold all 256 single bytes. */
  tokens: readonly (Uint8Array | undefined)[];
  /** Merges in rank order (lowest rank is applied first). */
  merges: readonly BpeMerge[];
  /** Special tokens by name → id. */
  specials: ReadonlyMap<string, number>;
  /** HF `ignore_merges`: a word that is itself in the vocabulary is one token. Default false. */
  ignoreMerges?: boolean;
  /** HF ByteLevel `add_prefix_space`: a space is prepended to text that does not start with one. Default false. */
  addPrefixSpace?: boolean;
}

export interface BpeTrainOptions {
  /** Ids in all: 256 bytes + merges + special tokens. Default 1024. */
  vocabSize?: number;
  /** Special tokens, given the ids after the merges. Default DEFAULT_SPECIALS. */
  specialTokens?: readonly string[];
  /** Stop early when the most frequent pair occurs fewer times than this. Default 2. */
  minFrequency?: number;
}

const utf8 = new TextEncoder();
const PAIR = 2 ** 21; // pair key = left * PAIR + right; ids stay below 2^21
const POS = 2 ** 26; // heap entry = rank * POS + position; words stay below 2^26 bytes
const CACHE_LIMIT = 50_000;
const pairKey = (a: number, b: number) => a * PAIR + b;
const at = <T>(a: ArrayLike<T>, i: number): T => a[i] as T; // index known to be in range

export class BpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly merges: readonly BpeMerge[];
  readonly ignoreMerges: boolean;
  readonly addPrefixSpace: boolean;
  private readonly tokens: readonly (Uint8Array | undefined)[];
  private readonly specials: ReadonlyMap<string, number>;
  private readonly specialNames = new Map<number, Uint8Array>();
  private readonly byteToId = new Int32Array(256).fill(-1);
  private readonly rankOf = new Map<number, number>(); // pair key → rank
  private readonly wholeWords = new Map<string, number>(); // latin1(bytes) → id, for ignoreMerges
  private readonly cache = new Map<string, readonly number[]>();

  constructor(model: BpeModel) {
    const { tokens, merges, specials } = model;
    this.tokens = tokens;
    this.merges = merges;
    this.specials = specials;
    this.ignoreMerges = model.ignoreMerges ?? false;
    this.addPrefixSpace = model.addPrefixSpace ?? false;
    let size = tokens.length;
    for (const [name, id] of specials) {
      if (!Number.isInteger(id) || id < 0 || id >= PAIR)
        throw new Error(`bpe: special ${name} has bad id ${id}`);
      if (this.specialNames.has(id)) throw new Error(`bpe: id ${id} is given to two special tokens`);
      this.specialNames.set(id, utf8.encode(name));
      size = Math.max(size, id + 1);
    }
    if (size > PAIR) throw new Error(`bpe: ${size} ids is more than this tokenizer supports (${PAIR})`);
    this.vocabSize = size;
    tokens.forEach((bytes, id) => {
      if (bytes === undefined || this.specialNames.has(id)) return;
      if (bytes.length === 1 && this.byteToId[at(bytes, 0)] === -1) this.byteToId[at(bytes, 0)] = id;
      if (this.ignoreMerges) this.wholeWords.set(latin1(bytes), id);
    });
    const missing = this.byteToId.indexOf(-1);
    if (missing >= 0)
      throw new Error(
        `bpe: byte 0x${missing.toString(16)} has no token; a byte-level vocabulary needs all 256`,
      );
    merges.forEach(({ left, right, id }, rank) => {
      const [l, r, m] = [tokens[left], tokens[right], tokens[id]];
      if (!l || !r || !m || m.length !== l.length + r.length || latin1(m) !== latin1(l) + latin1(r))
        throw new Error(
          `bpe: merge ${rank} (${left} + ${right} → ${id}) does not join two tokens into a third`,
        );
      const key = pairKey(left, right);
      if (!this.rankOf.has(key)) this.rankOf.set(key, rank);
    });
  }

  /** Learns merges from a corpus (a string, or documents that no word may span). Deterministic. */
  static train(corpus: string | readonly string[], options: BpeTrainOptions = {}): BpeTokenizer {
    const { vocabSize = 1024, specialTokens = DEFAULT_SPECIALS, minFrequency = 2 } = options;
    if (new Set(specialTokens).size !== specialTokens.length || specialTokens.some((s) => s === ''))
      throw new Error('bpe: special tokens must be distinct and non-empty');
    if (!Number.isInteger(vocabSize) || vocabSize < 256 + specialTokens.length || vocabSize > PAIR)
      throw new Error(
        `bpe: vocabSize must be an integer from ${256 + specialTokens.length} (bytes + specials) to ${PAIR}`,
      );
    // Distinct words and how often each occurs. Text is first cut at special tokens, so none is learned.
    const counts = new Map<string, number>();
    const cut = specialTokens.length > 0 ? new RegExp(specialTokens.map(escapeRegExp).join('|'), 'g') : null;
    for (const doc of typeof corpus === 'string' ? [corpus] : corpus)
      for (const piece of cut ? doc.split(cut) : [doc])
        for (const [word] of piece.matchAll(GPT2_PATTERN)) counts.set(word, (counts.get(word) ?? 0) + 1);
    const words: number[][] = [];
    const freqs: number[] = [];
    for (const [word, n] of counts) {
      words.push(Array.from(utf8.encode(word)));
      freqs.push(n);
    }
    // Pair counts over all words, and which words hold each pair (a superset: stale entries are skipped).
    const pairCounts = new Map<number, number>();
    const holders = new Map<number, Set<number>>();
    const count = (w: number, sign: 1 | -1) => {
      const word = at(words, w);
      for (let i = 0; i + 1 < word.length; i++) {
        const key = pairKey(at(word, i), at(word, i + 1));
        const n = (pairCounts.get(key) ?? 0) + sign * at(freqs, w);
        if (n > 0) pairCounts.set(key, n);
        else pairCounts.delete(key);
        if (sign > 0) {
          let set = holders.get(key);
          if (!set) holders.set(key, (set = new Set()));
          set.add(w);
        }
      }
    };
    for (let w = 0; w < words.length; w++) count(w, 1);

    const tokens: Uint8Array[] = Array.from({ length: 256 }, (_, b) => Uint8Array.of(b));
    const merges: BpeMerge[] = [];
    const target = vocabSize - 256 - specialTokens.length;
    while (merges.length < target) {
      // The most frequent pair; ties go to the smallest (left, right), so training is deterministic.
      let best = -1;
      let bestCount = 0;
      for (const [key, n] of pairCounts)
        if (n > bestCount || (n === bestCount && key < best)) [best, bestCount] = [key, n];
      if (best < 0 || bestCount < minFrequency) break;
      const [left, right, id] = [Math.floor(best / PAIR), best % PAIR, 256 + merges.length];
      merges.push({ left, right, id });
      tokens.push(concat(at(tokens, left), at(tokens, right)));
      for (const w of holders.get(best) ?? []) {
        const word = at(words, w);
        if (!hasPair(word, left, right)) continue;
        count(w, -1);
        words[w] = mergePair(word, left, right, id);
        count(w, 1);
      }
      holders.delete(best);
    }
    const specials = new Map(specialTokens.map((name, i) => [name, tokens.length + i] as const));
    return new BpeTokenizer({ tokens, merges, specials });
  }

  /** Text → ids. Never yields a special token. */
  encode(text: string): number[] {
    const out: number[] = [];
    if (this.addPrefixSpace && text.length > 0 && !text.startsWith(' ')) text = ' ' + text;
    for (const [word] of text.matchAll(GPT2_PATTERN)) for (const id of this.encodeWord(word)) out.push(id);
    return out;
  }

  /** Text → ids, where the named special tokens (default: all) written in the text become their ids. */
  encodeWithSpecials(text: string, allowed: 'all' | readonly string[] = 'all'): number[] {
    const names = (
      allowed === 'all' ? [...this.specials.keys()] : allowed.filter((n) => this.specials.has(n))
    )
      .slice()
      .sort((a, b) => b.length - a.length); // longest first, so "<|im_end|>" wins over a prefix of it
    if (names.length === 0) return this.encode(text);
    const out: number[] = [];
    const splitter = new RegExp(`(${names.map(escapeRegExp).join('|')})`);
    text.split(splitter).forEach((part, i) => {
      if (i % 2 === 1) out.push(this.specials.get(part) as number);
      else for (const id of this.encode(part)) out.push(id);
    });
    return out;
  }

  /** Ids → text; special tokens are written as their names. Throws on an id outside the vocabulary. */
  decode(ids: readonly number[]): string {
    const parts = ids.map((id) => this.tokenBytes(id));
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  }

  specialId(name: string): number | undefined {
    return this.specials.get(name);
  }

  /** Special tokens by name → id. */
  get specialTokens(): ReadonlyMap<string, number> {
    return this.specials;
  }

  /** id → bytes for every ordinary token (undefined for special tokens and unused ids). */
  get vocab(): readonly (Uint8Array | undefined)[] {
    return this.tokens.map((t, id) => (this.specialNames.has(id) ? undefined : t));
  }

  /** The bytes one id stands for (a special token's name in UTF-8). Throws outside the vocabulary. */
  tokenBytes(id: number): Uint8Array {
    const bytes = this.specialNames.get(id) ?? this.tokens[id];
    if (!Number.isInteger(id) || bytes === undefined)
      throw new Error(`bpe: id ${id} is outside the vocabulary (0–${this.vocabSize - 1})`);
    return bytes;
  }

  private encodeWord(word: string): readonly number[] {
    const hit = this.cache.get(word);
    if (hit) return hit;
    const bytes = utf8.encode(word);
    const whole = this.ignoreMerges ? this.wholeWords.get(latin1(bytes)) : undefined;
    const ids =
      whole !== undefined ? [whole] : this.applyMerges(Array.from(bytes, (b) => at(this.byteToId, b)));
    if (word.length <= 64) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    return ids;
  }

  /**
   * Merges a word's ids, lowest rank first and leftmost first among equals (as minbpe and HF do), with a
   * heap over a linked list: O(n log n), so a 100k-letter "word" encodes as fast as prose.
   */
  private applyMerges(ids: number[]): number[] {
    const n = ids.length;
    if (n < 2) return ids;
    if (n >= POS) throw new Error(`bpe: a single word of ${n} bytes is too long to encode`);
    const next = Int32Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
    const prev = Int32Array.from({ length: n }, (_, i) => i - 1);
    const alive = new Uint8Array(n).fill(1);
    const heap = new MinHeap();
    const offer = (i: number) => {
      const j = at(next, i);
      const rank = j < 0 ? undefined : this.rankOf.get(pairKey(at(ids, i), at(ids, j)));
      if (rank !== undefined) heap.push(rank * POS + i);
    };
    for (let i = 0; i + 1 < n; i++) offer(i);
    while (heap.size > 0) {
      const entry = heap.pop();
      const [rank, i] = [Math.floor(entry / POS), entry % POS];
      const j = at(next, i);
      const merge = this.merges[rank] as BpeMerge;
      if (!alive[i] || j < 0 || at(ids, i) !== merge.left || at(ids, j) !== merge.right) continue; // stale
      ids[i] = merge.id;
      alive[j] = 0;
      next[i] = at(next, j);
      if (at(next, j) >= 0) prev[at(next, j)] = i;
      if (at(prev, i) >= 0) offer(at(prev, i));
      offer(i);
    }
    return ids.filter((_, i) => alive[i]);
  }
}

/** A binary min-heap of numbers. */
class MinHeap {
  private readonly items: number[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: number): void {
    const a = this.items;
    a.push(x);
    for (let i = a.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (at(a, p) <= x) break;
      [a[i], a[p]] = [at(a, p), x];
      i = p;
    }
  }
  pop(): number {
    const a = this.items;
    const top = at(a, 0);
    const last = a.pop() as number;
    if (a.length === 0) return top;
    a[0] = last;
    for (let i = 0; ;) {
      const [l, r] = [2 * i + 1, 2 * i + 2];
      let m = i;
      if (l < a.length && at(a, l) < at(a, m)) m = l;
      if (r < a.length && at(a, r) < at(a, m)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [at(a, m), at(a, i)];
      i = m;
    }
    return top;
  }
}

function hasPair(word: readonly number[], a: number, b: number): boolean {
  for (let i = 0; i + 1 < word.length; i++) if (word[i] === a && word[i + 1] === b) return true;
  return false;
}

/** Replaces every non-overlapping (a, b), left to right, with id. */
function mergePair(word: readonly number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < word.length; i++) {
    if (word[i] === a && word[i + 1] === b && i + 1 < word.length) {
      out.push(id);
      i++;
    } else out.push(at(word, i));
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
