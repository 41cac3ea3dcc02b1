#!/usr/bin/env node
// Writes the tokenizer fixtures that the Java tests compare against, using the reference
// JavaScript implementation, npm gpt-3-encoder@1.1.4. The output is committed, so CI needs no node.
//
// Usage:
//   tmp=$(mktemp -d) && npm install --prefix "$tmp" gpt-3-encoder@1.1.4
//   node weights/scripts/tokenizer_fixtures.js "$tmp"          # or GPT3_ENCODER_DIR="$tmp" node ...
// The argument (or GPT3_ENCODER_DIR) may be the install prefix (containing node_modules/gpt-3-encoder)
// or the package folder itself.
//
// Writes into weights/fixtures/tokenizer/:
//   cases.json        [{text, ids}]            well-formed text: encode(text) == ids, decode(ids) == text
//   lossy_cases.json  [{text, ids, decoded}]   text with lone surrogates: TextEncoder turns each into
//                                              U+FFFD, so decode(ids) == decoded != text
//   decode_cases.json [{ids, text}]            id sequences whose bytes are not valid UTF-8 (or are
//                                              random bytes): decode(ids) == text, with U+FFFD
//                                              replacements exactly as the WHATWG TextDecoder makes them
'use strict';
const fs = require('fs');
const path = require('path');

const root = process.argv[2] || process.env.GPT3_ENCODER_DIR;
if (!root) {
  console.error('usage: tokenizer_fixtures.js <dir with node_modules/gpt-3-encoder or the package dir>');
  process.exit(2);
}
const pkgDir = fs.existsSync(path.join(root, 'node_modules', 'gpt-3-encoder'))
  ? path.join(root, 'node_modules', 'gpt-3-encoder') : root;
const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf-8'));
if (pkg.name !== 'gpt-3-encoder' || pkg.version !== '1.1.4') {
  console.error(`expected gpt-3-encoder@1.1.4 in ${pkgDir}, found ${pkg.name}@${pkg.version}`);
  process.exit(1);
}
const { encode, decode } = require(pkgDir);
const encoder = JSON.parse(fs.readFileSync(path.join(pkgDir, 'encoder.json'), 'utf-8'));

const texts = [
  // plain English
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness.',
  'hello world',
  'Hello',
  ' Hello',
  'a',
  'A',
  // contractions and apostrophe edge cases
  "I'm sure they'll come, but don't wait; she's here, we've seen it, you're right, he'd go.",
  "I'M SURE THEY'LL COME, DON'T WAIT, IT'S HERE",
  "'s",
  "'S",
  "'s's's",
  "''s",
  "rock 'n' roll, the '90s, 'tis",
  "the dog's bone and the dogs' bones",
  "it 's spaced",
  "Don’t use the curly apostrophe’s path",
  "'re've'll'd'm't",
  "'",
  // numbers
  '12345',
  '3.14159',
  '1,000,000',
  '123456789012345678901234567890',
  'Version 2.0.1-beta released on 2024-03-15 at 10:30:00Z, costing $1,299.99 (-15%).',
  '٣٤٥ and ½ and Ⅻ and ²³',
  // whitespace runs
  'a    b',
  'trailing spaces   ',
  '   leading spaces',
  ' ',
  '  ',
  '          ',
  'a \u00a0b',
  // tabs and newlines
  '\n\n\n',
  '\t\tx',
  'x \n y',
  'line one\nline two\r\nline three\rline four',
  '\n',
  'end with newline\n',
  '\t',
  'a\t\t\tb\n\n\tc',
  ' \n \n ',
  '\u000b\u000c vertical tab and form feed',
  // Unicode letters
  'Café naïve façade résumé Ångström Straße',
  'Ελληνικά: Η γρήγορη καφέ αλεπού',
  'Русский язык: съешь же ещё этих мягких французских булок',
  '中文字符测试，你好世界。日本語のテキスト、カタカナ。한국어 텍스트',
  'مرحبا بالعالم، هذا نص عربي',
  'हिन्दी पाठ का उदाहरण',
  'e\u0301 combining acute, a\u0308 combining diaeresis',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕄𝕒𝕥𝕙 and 𠀀𠀁 supplementary CJK',
  // emoji
  'I love 🍕 and 🎉!',
  '👨‍👩‍👧‍👦 family, 👩🏽‍💻 technologist, ❤️ heart',
  '🇺🇸🇯🇵🇩🇪 flags',
  '🏳️‍🌈',
  '😀😃😄😁',
  // Unicode spaces (JavaScript's \s includes these, Java's \s does not)
  'non\u00a0breaking\u00a0space',
  'em\u2003space and ideographic\u3000space',
  '\u3000\u3000leading ideographic spaces',
  'x\u2003\u2003\u2003y',
  'trailing nbsp\u00a0',
  '\ufeffBOM at start',
  'zero\ufeffwidth no-break mid-text',
  'ogham\u1680space, en\u2002quad, thin\u2009space, hair\u200aspace, nnbsp\u202fx, mmsp\u205fy',
  'line\u2028separator and paragraph\u2029separator',
  'next line\u0085char (not JS whitespace)',
  'zero\u200bwidth space (not JS whitespace)',
  // where JS \s and Java's default \s split differently: a Unicode space next to punctuation or after ' '
  '«\u00a0Bonjour\u00a0!\u00a0» dit-il\u00a0; puis\u00a0: «\u00a0Ça va\u00a0?\u00a0»',
  'wait\u00a0!',
  'x \u2003y and z \u3000\u3000w',
  '10\u202f000\u00a0€ and 5\u2009%',
  'end\u2028!\u2029?',
  // punctuation runs
  '!!!???...',
  '...',
  '---',
  '!@#$%^&*()_+-=[]{}|;:,.<>/?`~',
  '"quoted" and (parenthesised) and [bracketed]',
  '?!',
  // the special token as literal text
  '<|endoftext|>',
  'Document one.<|endoftext|>Document two.',
  '<|endoftext|><|endoftext|>',
  '<|endoftext',
  // empty
  '',
  // code
  'def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n',
  'public static void main(String[] args) {\n\tSystem.out.println("Hello, " + args[0]);\n}',
  'const x = {a: 1, "b": [2, 3], \'c\': null};\nconsole.log(JSON.stringify(x));',
  '{"name":"seal","tags":["a","b"],"nested":{"k":"v"},"list":[["x"],["y"]],\'s\':\'q\',"z":"."}',
  '[1,2,3],["a","b"],{"c":"d"}',
  '#include <stdio.h>\nint main(void) { return 0; }',
  // URLs
  'https://www.example.com/path/to/page?query=value&other=123#section',
  'Visit http://localhost:8080/api/v1/users/42 or mailto:someone@example.org',
  // e-mail bodies
  'From: Alice Example <alice@example.com>\nTo: Bob <bob@example.org>\nSubject: Re: Quarterly numbers\nDate: Mon, 3 Jun 2024 09:15:00 +0200\n\nHi Bob,\n\nThanks for the update. I\'ve looked at the spreadsheet and I think we\'re close.\n\n> On Fri, Bob wrote:\n> Can you check the Q2 totals?\n> They don\'t match the dashboard.\n\nThey match now; the dashboard was stale.\n\nBest,\nAlice\n-- \nAlice Example | Finance\n+1 (555) 010-2030\n',
  'Subject: Meeting tomorrow\n\nHey team,\n\nReminder: stand-up moves to 10:30 tomorrow. Please bring your notes!!\n\nThanks,\nJ.\n\n-- \nSent from my phone',
  'From: noreply@bank.example\nSubject: =?UTF-8?B?WW91ciBzdGF0ZW1lbnQ=?=\n\nDear customer,\n\n    Your statement for May is ready.\n\n>> quoted twice\n> quoted once\n\nRegards,\nThe Bank\n-- \n',
  'From: Jürgen Müller <jm@example.de>\nSubject: Grüße aus München 🍺\n\nHallo zusammen,\n\nanbei die Unterlagen für nächste Woche.\n\nViele Grüße\nJürgen\n',
  // mixed oddities
  'MiXeD CaSe WoRdS and ALLCAPS and lowercase',
  'tab\tseparated\tvalues\n1\t2\t3',
  'a1b2c3 x86_64 utf-8 IPv6 3D',
  'spaces before punctuation , . ! ?',
  'ﬁ ligature and ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ and ① circled',
  '\u0000 NUL and \u0007 bell and \u001b[31m escape',
];

// Lone surrogates: not representable in UTF-8; TextEncoder substitutes U+FFFD for each.
const lossyTexts = ['\ud800', 'a\udc00b', 'x\ud83d', '\ud83d \ude00', 'hi\udfff\ud800there'];

// bytes_to_unicode, as in the package (needed to build byte-level ids for decode cases)
function bytesToUnicode() {
  const bs = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) if (!bs.includes(b)) { bs.push(b); cs.push(256 + n); n++; }
  const m = {};
  bs.forEach((b, i) => { m[b] = String.fromCharCode(cs[i]); });
  return m;
}
const byteEncoder = bytesToUnicode();
const byteIds = bytes => bytes.map(b => encoder[byteEncoder[b]]);
const utf8 = s => Array.from(new TextEncoder().encode(s));

const decodeByteSeqs = [
  [0xe2], [0xe2, 0x82], [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x98], [0xf0, 0x9f, 0x98, 0x80],
  [0xc0, 0xaf], [0xc1, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xf4, 0x90, 0x80, 0x80],
  [0xf5, 0x80], [0xff], [0xfe, 0xff], [0x80], [0x80, 0x80, 0x80], [0xe0, 0x80, 0x80], [0xe0, 0xa0],
  [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x90], [0xc3], [0xc3, 0x28], [0x41, 0xc3],
  [...utf8('a'), 0xf0, 0x9f, ...utf8('b')],
  [...utf8('x'), 0xef, 0xbb, 0xbf, ...utf8('y')], // a BOM that is not at the start stays
  utf8('plain ascii'), utf8('naïve ☃ 🍕'), [0x00, 0x7f],
];
// Deterministic pseudo-random byte strings (mulberry32), biased towards UTF-8 lead/continuation bytes.
let seed = 0x5ea1;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const interesting = [0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x41];
for (let k = 0; k < 40; k++) {
  const len = 1 + Math.floor(rnd() * 12);
  const bytes = [];
  for (let i = 0; i < len; i++) {
    bytes.push(rnd() < 0.6 ? interesting[Math.floor(rnd() * interesting.length)] : Math.floor(rnd() * 256));
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) continue; // see below
  decodeByteSeqs.push(bytes);
}
// Not included on purpose: a leading UTF-8 BOM. The package's TextDecoder (ignoreBOM=false) silently
// drops a BOM at the very start of the output, so in JS decode(encode('\ufeffx')) == 'x'. The Java
// tokenizer keeps it (decode(encode(s)) == s for all well-formed s).

const cases = texts.map(text => {
  const ids = encode(text);
  if (ids.some(id => typeof id !== 'number')) throw new Error('non-numeric id for ' + JSON.stringify(text));
  if (decode(ids) !== text && !text.startsWith('\ufeff')) throw new Error('JS round trip fails: ' + JSON.stringify(text));
  return { text, ids };
});
const lossy = lossyTexts.map(text => { const ids = encode(text); return { text, ids, decoded: decode(ids) }; });
const decodeCases = decodeByteSeqs.map(bytes => { const ids = byteIds(bytes); return { ids, text: decode(ids) }; });

const outDir = path.join(__dirname, '..', 'fixtures', 'tokenizer');
fs.mkdirSync(outDir, { recursive: true });
// One case per line keeps diffs readable. JSON.stringify escapes lone surrogates as \udXXX.
const write = (name, list) => {
  fs.writeFileSync(path.join(outDir, name), '[\n' + list.map(c => '  ' + JSON.stringify(c)).join(',\n') + '\n]\n');
  console.log(`wrote ${list.length} cases to ${path.join(outDir, name)}`);
};
write('cases.json', cases);
write('lossy_cases.json', lossy);
write('decode_cases.json', decodeCases);
