// Reference token ids from the HuggingFace tokenizers library itself (its Rust core, via the native npm binding).
// Usage: node reference.mjs <tokenizer.json> <corpus.json: array of strings>
// Prints JSON: [{ "ids": [...], "plain": [...], "decoded": "..." }, ...] where ids are encoded with the
// post-processor (add_special_tokens=True, as transformers encodes a raw prompt), plain without it, and decoded is
// decode(ids, skip_special_tokens=true).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('@anush008/tokenizers');

const [tokenizerPath, corpusPath] = process.argv.slice(2);
const tokenizer = Tokenizer.fromFile(tokenizerPath);
const texts = JSON.parse(readFileSync(corpusPath, 'utf8'));
const results = [];
for (const text of texts) {
  const withSpecial = await tokenizer.encode(text, null, { addSpecialTokens: true });
  const plain = await tokenizer.encode(text, null, { addSpecialTokens: false });
  const ids = withSpecial.getIds();
  results.push({ ids, plain: plain.getIds(), decoded: await tokenizer.decode(ids, true) });
}
process.stdout.write(JSON.stringify(results));
