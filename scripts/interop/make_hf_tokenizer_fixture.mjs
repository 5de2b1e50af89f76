// Makes the Hugging Face tokenizer fixtures that tests/core/test_hf_bpe.cpp
// checks core/text/hf_bpe*.cpp against, with the real HF `tokenizers`
// (its official Node binding, npm package "tokenizers", prebuilt native
// binary inside the package).
//
//   mkdir -p /somewhere/hfjs && cd /somewhere/hfjs && npm init -y && npm install tokenizers
//   node scripts/interop/make_hf_tokenizer_fixture.mjs --node-modules /somewhere/hfjs/node_modules
//   (or NODE_PATH=/somewhere/hfjs/node_modules node scripts/interop/make_hf_tokenizer_fixture.mjs)
//
// Options: --minimind DIR (default ../shared/minimind beside the repository:
// minimind's model/tokenizer.json), --data DIR (default ../shared/data: a few
// real text lines are taken from it), --full-out FILE (default
// <minimind>/reference_full.json).
//
// Writes
//   tests/data/hf_bpe/minimind_derived_tokenizer.json
//       (its provenance is the "source" of reference_derived.json: a
//       tokenizer.json cannot hold extra keys, HF refuses them)
//       minimind's tokenizer cut down: its added tokens, the 256 byte-level
//       characters, the first MERGES merges and exactly the vocab entries those
//       merges use and make, renumbered densely in the original id order.
//   tests/data/hf_bpe/reference_derived.json
//       HF encode ids and decode text of the derived tokenizer for fixed and
//       seeded-random strings, decode of chosen id lists, and variants: JSON
//       merge patches (RFC 7386) of the derived tokenizer with their own cases.
//   <minimind>/reference_full.json (outside the repository)
//       the same for the full minimind tokenizer.json.
// Everything is deterministic: rerunning gives the same files.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const MERGES = 600;
const RANDOM_CASES_DERIVED = 150;
const RANDOM_CASES_FULL = 400;

// ------------------------------------------------------------------ args
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf(name);
  if (i >= 0 && i + 1 < args.length) return args[i + 1];
  return fallback;
}
const nodeModules = opt('--node-modules', (process.env.NODE_PATH || '').split(path.delimiter)[0]);
if (!nodeModules || !fs.existsSync(path.join(nodeModules, 'tokenizers', 'package.json'))) {
  console.error('make_hf_tokenizer_fixture: pass --node-modules DIR (or NODE_PATH) of an `npm install tokenizers`');
  process.exit(2);
}
const minimindDir = opt('--minimind', path.resolve(root, '..', 'shared', 'minimind'));
const dataDir = opt('--data', path.resolve(root, '..', 'shared', 'data'));
const fullOut = opt('--full-out', path.join(minimindDir, 'reference_full.json'));
const outDir = path.join(root, 'tests', 'data', 'hf_bpe');

const require = createRequire(path.join(path.resolve(nodeModules), 'noop.js'));
const hf = require('tokenizers');
const hfVersion = JSON.parse(fs.readFileSync(path.join(nodeModules, 'tokenizers', 'package.json'), 'utf8')).version;
const SOURCE =
  'derived from jingyaogong/minimind model/tokenizer.json at 561979c (Apache-2.0) by ' +
  `scripts/interop/make_hf_tokenizer_fixture.mjs; reference ids from HF tokenizers ${hfVersion} (npm)`;

// ------------------------------------------------------- derived tokenizer
const fullText = fs.readFileSync(path.join(minimindDir, 'tokenizer.json'), 'utf8');
const full = JSON.parse(fullText);

function byteAlphabet() {
  const chars = [];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    const keep = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars.push(String.fromCodePoint(keep ? b : 256 + n++));
  }
  return chars;
}
const ALPHABET = byteAlphabet();

function mergePair(m) {
  return Array.isArray(m) ? m : [m.slice(0, m.indexOf(' ')), m.slice(m.indexOf(' ') + 1)];
}

const fullVocab = full.model.vocab;
const keep = new Set();
for (const t of full.added_tokens) if (t.content in fullVocab) keep.add(t.content);
for (const c of ALPHABET) {
  if (!(c in fullVocab)) throw new Error(`byte character ${c} missing from minimind vocab`);
  keep.add(c);
}
const keptMerges = full.model.merges.slice(0, MERGES).map(mergePair);
for (const [a, b] of keptMerges) {
  keep.add(a);
  keep.add(b);
  keep.add(a + b);
}
const ordered = [...keep].sort((x, y) => fullVocab[x] - fullVocab[y]);
const newId = new Map(ordered.map((t, i) => [t, i]));

// Written by hand so that the vocab keeps id order (JSON.stringify would put
// integer-like keys such as "0" first) and stays one entry per line.
function writeTokenizerJson(tok) {
  const j = JSON.stringify;
  // No "source" key here: HF tokenizers refuses unknown top-level keys (its
  // visitor does not skip their values); reference_derived.json carries it.
  let s = '{\n';
  s += `  "version": ${j(tok.version)},\n  "truncation": null,\n  "padding": null,\n`;
  s += '  "added_tokens": [\n' + tok.added_tokens.map((t) => '    ' + j(t)).join(',\n') + '\n  ],\n';
  for (const k of ['normalizer', 'pre_tokenizer', 'post_processor', 'decoder']) s += `  ${j(k)}: ${j(tok[k])},\n`;
  const m = tok.model;
  s += '  "model": {\n';
  for (const k of Object.keys(m)) if (k !== 'vocab' && k !== 'merges') s += `    ${j(k)}: ${j(m[k])},\n`;
  s += '    "vocab": {\n' + m.vocabOrdered.map(([t, id]) => `      ${j(t)}: ${id}`).join(',\n') + '\n    },\n';
  s += '    "merges": [\n' + m.merges.map((p) => '      ' + j(p)).join(',\n') + '\n    ]\n';
  s += '  }\n}\n';
  return s;
}

const derivedModel = { ...full.model };
delete derivedModel.vocab;
delete derivedModel.merges;
derivedModel.vocabOrdered = ordered.map((t) => [t, newId.get(t)]);
derivedModel.merges = keptMerges;
const derivedTok = {
  version: full.version,
  added_tokens: full.added_tokens.map((t) => ({ ...t, id: newId.get(t.content) })),
  normalizer: full.normalizer,
  pre_tokenizer: full.pre_tokenizer,
  post_processor: full.post_processor,
  decoder: full.decoder,
  model: derivedModel,
};
const derivedText = writeTokenizerJson(derivedTok);
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'minimind_derived_tokenizer.json'), derivedText);
const derivedPlain = JSON.parse(derivedText); // the object the variants patch

// ----------------------------------------------------------- test strings
const FIXED = [
  '',
  ' ',
  'a',
  'Hello world',
  'Hello, world! How are you today?',
  ' leading space and trailing space ',
  '   three leading spaces',
  'trailing spaces   ',
  "don't I'LL we've they're she'd it's you'll I'm",
  "'s 't 're 've 'm 'll 'd ''s ’s",
  'rock\'n\'roll o\'clock \'quoted\'',
  '你好',
  '你好，世界！今天天气怎么样？',
  '床前明月光，疑是地上霜。举头望明月，低头思故乡。',
  '人工智能（AI）是计算机科学的一个分支。',
  '中文English混合mixed文本text',
  '我有3个苹果和12.5公斤香蕉',
  '数字123456789和０１２３全角',
  '1234567890 3.14159 -42 1e10 0x1F',
  'Price: $1,299.99 (20% off)',
  '!!! ??? ... --- *** ###',
  '「引号」『书名号』《标题》【括号】',
  'emoji 😀👍🏽 and 👨‍👩‍👧 family',
  '🤖机器人🚀火箭',
  'def f(x):\n    return x ** 2  # square\n',
  'for (int i = 0; i < n; ++i) { sum += a[i]; }',
  '{"key": "value", "list": [1, 2, 3]}',
  '<html><body class="x">text</body></html>',
  'line one\nline two\n\nline four',
  '\n\n  \t',
  'a\n\n  \tb',
  'tabs\tand\tnewlines\r\nwindows',
  'x  \n  y',
  '\u3000全角空格\u3000',
  'no\u00a0break\u2028line\u2029para',
  'Ünïcödé çàfé naïve résumé',
  'Привет мир',
  'Γειά σου Κόσμε',
  'مرحبا بالعالم',
  'नमस्ते दुनिया',
  'こんにちは世界、カタカナ',
  '안녕하세요 세계',
  'e\u0301 combining acute, a\u0308',
  'Ⓐⓑ circled, ½ ⅓ fractions, Ⅻ roman',
  '<|im_start|>user\n你好<|im_end|>',
  '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\n1+1=?<|im_end|>\n<|im_start|>assistant\n',
  '<|endoftext|>',
  '<|endoftext|><|endoftext|>',
  'text<|im_end|>more<|im_start|>',
  '<|im_start|',
  '<|im_start|>>',
  '<<|im_end|>',
  ' <|im_start|> spaced <|im_end|> ',
  '<think>\n推理过程\n</think>\n<answer>\n42\n</answer>',
  'Unicode 16 letters: \u1c89\ua7cb \u{10d40}\u{10d41} and ext-H \u{31350}\u{31351}',
  'private use \ue000 and unassigned \u0378 chars',
  'nul\u0000byte and \u0001 control \u007f del',
  'repeated aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  '的的的的的的的的的的的的的的的的',
  'URL https://example.com/path?q=1&r=2#frag',
  'email someone@example.org, @mention #hashtag',
];

function firstText(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
  const out = [];
  for (const line of lines.slice(0, 2)) {
    const r = JSON.parse(line);
    let t = r.text ?? (r.conversations ? r.conversations.map((m) => m.content).join('\n') : null);
    if (t == null && r.chosen) t = r.chosen.map((m) => m.content).join('\n');
    if (t == null) continue;
    out.push([...t].slice(0, 90).join(''));
  }
  return out;
}
const DATA_FILES = [
  'pretrain/zh_poetry_chinese_poetry.jsonl',
  'pretrain/zh_novels_hongloumeng_shuihu.jsonl',
  'pretrain/zh_wiki_cmrc2018_contexts.jsonl',
  'pretrain/en_tinyshakespeare.jsonl',
  'pretrain/en_c4_demo.jsonl',
  'sft/sft_zh_alpaca_llamafactory_demo.jsonl',
  'sft/sft_en_alpaca_llamafactory_demo.jsonl',
  'reason/reason_en_gsm8k_train_think.jsonl',
];
const DATA = [];
for (const f of DATA_FILES) {
  const p = path.join(dataDir, f);
  if (!fs.existsSync(p)) throw new Error(`missing data file ${p} (pass --data)`);
  DATA.push(...firstText(p));
}

// Seeded random strings over a mix of character classes.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const POOLS = [
  'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  '0123456789',
  "''''sstremvdl",
  ' ',
  '   \t\n\r\u000b\u000c\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000',
  '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~',
  '的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要',
  '，。！？、；：“”‘’（）《》【】…—',
  'éüñçßøåæœ\u0301\u0308\u200d\u200c',
  '٠١٢٣४५६٧½²³Ⅻ〇',
  'αβγδЖЩЮяאבגمرحنमस्ते',
  '😀👍🏽🤖🚀❤️✓',
  '\u{31350}\u{1c89}\u{10d40}\u{e000}\u{10ffff}\u0378\u0000\u0001\u007f',
];
const SPECIAL_BITS = ['<|im_start|>', '<|im_end|>', '<|endoftext|>', '<|im', '|>'];
function randomStrings(n, seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(r() * 24);
    let s = '';
    for (let k = 0; k < len; k++) {
      if (r() < 0.03) {
        s += SPECIAL_BITS[Math.floor(r() * SPECIAL_BITS.length)];
        continue;
      }
      const pool = [...POOLS[Math.floor(r() * POOLS.length)]];
      s += pool[Math.floor(r() * pool.length)];
    }
    out.push(s);
  }
  return out;
}

// ------------------------------------------------------------- HF runs
async function runCases(tok, texts) {
  const cases = [];
  for (const text of texts) {
    const enc = await tok.encode(text, null, { addSpecialTokens: true });
    const ids = Array.from(enc.getIds());
    const decoded = await tok.decode(ids, false);
    cases.push({ text, ids, decoded });
  }
  return cases;
}
async function runDecodes(tok, idLists) {
  const out = [];
  for (const ids of idLists) out.push({ ids, text: await tok.decode(ids, false) });
  return out;
}

// JSON merge patch (RFC 7386), as nlohmann::json::merge_patch applies it.
function mergePatch(target, patch) {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

const derived = hf.Tokenizer.fromString(derivedText);
const fullTok = hf.Tokenizer.fromFile(path.join(minimindDir, 'tokenizer.json'));

const dId = (s) => {
  const id = newId.get(s);
  if (id === undefined) throw new Error(`no derived id for ${s}`);
  return id;
};
const byteId = (b) => dId(ALPHABET[b]);
const vocabCount = ordered.length;
const DECODES = [
  [],
  [1, 2, 0],
  [byteId(0xe4), byteId(0xbd)],                          // first two bytes of 你
  [byteId(0xe4), byteId(0xbd), byteId(0x41)],            // ... then 'A'
  [byteId(0xe4), byteId(0xbd), byteId(0xa0)],            // 你, whole
  [byteId(0xf0), byteId(0x80), byteId(0x80), byteId(0x80)],
  [byteId(0x80)],
  [byteId(0xff), byteId(0xfe)],
  [byteId(0xc0), byteId(0xaf)],
  [byteId(0xed), byteId(0xa0), byteId(0x80)],            // a UTF-16 surrogate in UTF-8
  [byteId(0xf4), byteId(0x90), byteId(0x80), byteId(0x80)],
  [byteId(0xf0), byteId(0x9f), byteId(0x98)],            // truncated emoji
  [byteId(0xf0), byteId(0x9f), byteId(0x98), byteId(0x80)],
  [byteId(0x48), vocabCount + 5, 99999, byteId(0x69)],   // unknown ids are skipped
  [1, byteId(0xe4), 2, byteId(0xbd), byteId(0xa0)],
  [dId('Ġ'), dId('Ġ'), byteId(0x0a)],
];

// Variants: patches of the derived tokenizer.
// Ids as HF gives them: a content already in the vocab keeps its vocab id,
// any other gets the next id after the vocabulary, in list order.
let nextAddedId = vocabCount;
const addedIds = new Map();
function addedToken(content, o = {}) {
  if (!addedIds.has(content)) addedIds.set(content, newId.has(content) ? newId.get(content) : nextAddedId++);
  return {
    id: addedIds.get(content), content, single_word: !!o.single_word, lstrip: !!o.lstrip, rstrip: !!o.rstrip,
    normalized: !!o.normalized, special: !!o.special,
  };
}
const baseAdded = derivedTok.added_tokens;
const unusedBytes = [];
{
  const inMerges = new Set(keptMerges.flat());
  for (let b = 1; b < 32 && unusedBytes.length < 2; b++) if (!inMerges.has(ALPHABET[b])) unusedBytes.push(b);
}
const dropBytesPatch = { model: { vocab: Object.fromEntries(unusedBytes.map((b) => [ALPHABET[b], null])) } };
const unkTexts = [
  `a${String.fromCharCode(unusedBytes[0])}${String.fromCharCode(unusedBytes[1])}b`,
  `${String.fromCharCode(unusedBytes[0])}x${String.fromCharCode(unusedBytes[1])}`,
  `${String.fromCharCode(unusedBytes[1]).repeat(3)} hi ${String.fromCharCode(unusedBytes[0])}`,
];
const VARIANTS = [
  {
    name: 'add_prefix_space',
    patch: { pre_tokenizer: { add_prefix_space: true } },
    texts: ['hello', ' hello', 'hello world', '<|im_start|>user\nhi<|im_end|>', '你好', '\nnew', '  two'],
  },
  {
    name: 'no_regex',
    patch: { pre_tokenizer: { use_regex: false } },
    texts: ['hello world', "don't stop", '你好 世界', ' a  b\n\nc', '<|im_start|>x y<|im_end|>'],
  },
  {
    name: 'no_regex_prefix_space',
    patch: { pre_tokenizer: { use_regex: false, add_prefix_space: true } },
    texts: ['hello world', ' already', '<|im_start|>x y<|im_end|>z'],
  },
  {
    name: 'sequence_pre_tokenizer',
    patch: { pre_tokenizer: { type: 'Sequence', pretokenizers: [derivedPlain.pre_tokenizer], add_prefix_space: null, trim_offsets: null, use_regex: null } },
    texts: ['Hello world', "we'll see 123"],
  },
  {
    name: 'byte_level_post_processor',
    patch: { post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true } },
    texts: ['Hello world', ' <|im_start|>x'],
  },
  {
    name: 'ignore_merges',
    patch: { model: { ignore_merges: true } },
    texts: ['the cat sat on the mat', 'ing tion ment', '你好中国', "that's"],
  },
  {
    name: 'added_token_flags',
    patch: {
      added_tokens: [
        ...baseAdded,
        addedToken('[SW]', { single_word: true }),
        addedToken('<L>', { lstrip: true, special: true }),
        addedToken('<R>', { rstrip: true, special: true }),
        addedToken('hello', { normalized: true }),
        addedToken('ell'),
        addedToken('<|im', { special: true }),
        addedToken('in'),
        addedToken('§', { single_word: true }),
        addedToken('中文'),
        addedToken('Ġx', { normalized: true }),
        addedToken('<LR>', { lstrip: true, rstrip: true }),
        addedToken(' sp', { single_word: true, normalized: true }),
      ],
    },
    texts: [
      'a [SW] b', 'a[SW]b', '[SW]', 'x [SW]y', '_[SW] ', '[SW][SW] [SW]',
      'text   <L>after', 'a <L> b', '\n\t<L>', 'x<R>   y', '<R>\n\nz', '<R>  <L>', '<L><R>',
      'hello there', 'shell hello', 'yellow', 'say hello', 'hellohello',
      '<|im_start|>', '<|im_end|>', '<|im<|im', 'inside the ring', 'in',
      'a§ b', ' § ', '中§', '1§', 'é§', 'e\u0301§', '_§', '§_', 'Ⓐ§', '\u200d§', '‿§', '٣§', '§',
      '中文字', '说中文', 'Ġx and x', 'a  <LR>  b', '<LR>', 'x sp y', 'x spy', ' sp', 'a\u00a0 <L>\u3000b',
    ],
    decodes: [[addedIds.get('§')], [addedIds.get('中文')], [addedIds.get('Ġx')], [addedIds.get('<L>'), addedIds.get('[SW]')]],
  },
  {
    name: 'unk_fused',
    patch: mergePatch(dropBytesPatch, { model: { unk_token: '<|endoftext|>', fuse_unk: true } }),
    texts: unkTexts,
  },
  {
    name: 'unk_not_fused',
    patch: mergePatch(dropBytesPatch, { model: { unk_token: '<|endoftext|>', fuse_unk: false } }),
    texts: unkTexts,
  },
  {
    name: 'missing_bytes_dropped',
    patch: dropBytesPatch,
    texts: unkTexts,
    decodes: [[byteId(unusedBytes[0])]],
  },
];

async function main() {
  const fixedDerived = await runCases(derived, [...FIXED, ...DATA]);
  const randomDerived = await runCases(derived, randomStrings(RANDOM_CASES_DERIVED, 20240601));
  const decodesDerived = await runDecodes(derived, DECODES);
  const variants = [];
  for (const v of VARIANTS) {
    const patched = mergePatch(derivedPlain, v.patch);
    const tok = hf.Tokenizer.fromString(JSON.stringify(patched));
    variants.push({
      name: v.name,
      patch: v.patch,
      cases: await runCases(tok, v.texts),
      decodes: v.decodes ? await runDecodes(tok, v.decodes) : [],
    });
  }
  const derivedRef = {
    source: SOURCE,
    tokenizer: 'minimind_derived_tokenizer.json',
    hf_tokenizers: `tokenizers ${hfVersion} (npm)`,
    cases: fixedDerived,
    random_cases: randomDerived,
    decodes: decodesDerived,
    variants,
  };
  fs.writeFileSync(path.join(outDir, 'reference_derived.json'), jsonLines(derivedRef));

  const fullRef = {
    source: SOURCE.replace('derived from', 'reference for'),
    tokenizer: 'tokenizer.json (minimind, full)',
    hf_tokenizers: `tokenizers ${hfVersion} (npm)`,
    cases: await runCases(fullTok, [...FIXED, ...DATA]),
    random_cases: await runCases(fullTok, randomStrings(RANDOM_CASES_FULL, 7)),
  };
  fs.writeFileSync(fullOut, jsonLines(fullRef));
  console.log(
    `derived tokenizer: ${ordered.length} tokens, ${keptMerges.length} merges, ${Buffer.byteLength(derivedText)} bytes; ` +
      `${fixedDerived.length} + ${randomDerived.length} cases, ${variants.length} variants; full: ${fullRef.cases.length} + ${fullRef.random_cases.length} cases -> ${fullOut}`,
  );
}

// One case per line: readable diffs, small files.
function jsonLines(obj) {
  const j = JSON.stringify;
  let s = '{\n';
  const keys = Object.keys(obj);
  keys.forEach((k, i) => {
    const v = obj[k];
    const last = i === keys.length - 1 ? '' : ',';
    if (Array.isArray(v)) s += `  ${j(k)}: [\n` + v.map((e) => '    ' + j(e)).join(',\n') + `\n  ]${last}\n`;
    else s += `  ${j(k)}: ${j(v)}${last}\n`;
  });
  return s + '}\n';
}

await main();
