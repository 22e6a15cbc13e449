// Shared fixtures for the tokenizer tests: tricky strings every tokenizer must round-trip, and a
// seeded English-like corpus (a few hundred common words in sentences, with numbers and punctuation).
import { mulberry32 } from '../../../src/main/engine/random';

export const TRICKY = [
  '',
  ' ',
  'hello, world',
  '   leading and trailing spaces   ',
  '\t\ttabs\t and\n\n\nnewline runs\r\n\r\n  \n',
  "it's we're they've I'm you'll he'd DON'T",
  'emoji 👋🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷',
  'combining: e\u0301 vs \u00e9, Zalgo Z\u0351\u0352\u0353',
  'CJK 日本語 中文 한국어',
  'RTL שלום مرحبا',
  'NUL \u0000 in the middle, and \u0001\u007f control bytes',
  'a'.repeat(5000) + 'b'.repeat(3000),
  'x'.repeat(20000),
  'text that looks special: <|endoftext|> <|im_start|>user<|im_end|> <s></s> <|pad|> <|eos|>',
  '\uFEFF leading BOM kept',
  'astral 𝕏 and replacement char \uFFFD',
  'numbers 1234567890 3.14159 -42 1e10',
  'code: function f(x) { return x ** 2; } // done',
];

const WORDS = (
  'the of and to in is was that for it as with be on not he by are this at from his but have had which ' +
  'they you were her she there an one all their we can been has more if no would so will who what up out ' +
  'about into them than other some time could these two may first then do any like my now over such our ' +
  'man me even most made after also did many before must through back years where much your way well down ' +
  'should because each just those people how too little state good very make world still own see men work ' +
  'long get here between both life being under never day same another know while last might us great old ' +
  'year off come since against go came right used take three small large house water light garden river ' +
  'morning evening window kitchen teacher student question answer problem reason number system program ' +
  'model language training learning tokenizer sentence paragraph example simple quickly slowly happily ' +
  'beautiful important different possible available national political economic natural information ' +
  'government development community education understanding relationship environment experience'
).split(' ');

/** About `bytes` of English-like prose, the same for the same seed. */
export function englishCorpus(bytes: number, seed = 1): string {
  const rng = mulberry32(seed);
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const n = rng.int(5, 16);
    const words = Array.from({ length: n }, () => WORDS[rng.int(0, WORDS.length)] as string);
    if (rng.next() < 0.2) words.splice(rng.int(1, n), 0, String(rng.int(0, 2000)));
    if (rng.next() < 0.3) words[rng.int(0, n)] += ',';
    let s = words.join(' ');
    s = s[0]?.toUpperCase() + s.slice(1) + ['.', '.', '.', '?', '!'][rng.int(0, 5)];
    s += rng.next() < 0.1 ? '\n\n' : ' ';
    parts.push(s);
    size += s.length;
  }
  return parts.join('');
}
