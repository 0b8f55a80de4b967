"""Builds the small BERT-shaped embedding model of the sentence-transformers folder tests, and its reference vectors.

Run with Debian's python3-torch and python3-onnx (./mlstack setup installs them):
    /usr/bin/python3 tools/embedding-fixtures/make_embedding_fixtures.py VOCAB_TXT OUTPUT_DIR

The model has random weights from a fixed seed (the vectors mean nothing; they only have to be computed the same way
twice): word, position and token-type embeddings, a LayerNorm and one self-attention + feed-forward block, with
inputs input_ids, attention_mask, token_type_ids and output last_hidden_state, as optimum exports BERT. The reference
vectors are pooled here with torch for each pooling mode sentence-transformers has in 1_Pooling/config.json that the
server supports (mean, cls, lasttoken), with and without its Normalize module, and with a "query: " prompt, from the
texts tokenized by a plain BERT WordPiece (lower case, punctuation split) over the MiniLM vocabulary.
"""
import json
import sys
import unicodedata

import torch
from torch import nn

HIDDEN = 8
MAX_POSITIONS = 64
TEXTS = ["The quick brown fox jumps over the lazy dog.", "how do cats sleep?", "Embeddings, tokens & vectors!"]
PROMPT = "query: "


def load_vocab(path):
    with open(path, encoding="utf-8") as f:
        return {line.rstrip("\n"): i for i, line in enumerate(f)}


def basic_split(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    words = []
    for word in text.split():
        current = ""
        for c in word:
            if unicodedata.category(c).startswith("P") or (33 <= ord(c) <= 47 or 58 <= ord(c) <= 64 or 91 <= ord(c) <= 96 or 123 <= ord(c) <= 126):
                if current:
                    words.append(current)
                words.append(c)
                current = ""
            else:
                current += c
        if current:
            words.append(current)
    return words


def wordpiece(text, vocab):
    ids = [vocab["[CLS]"]]
    for word in basic_split(text):
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            while end > start:
                piece = ("##" if start > 0 else "") + word[start:end]
                if piece in vocab:
                    pieces.append(vocab[piece])
                    break
                end -= 1
            if end == start:
                pieces = [vocab["[UNK]"]]
                break
            start = end
        ids.extend(pieces)
    ids.append(vocab["[SEP]"])
    return ids


class TinyEncoder(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.words = nn.Embedding(vocab_size, HIDDEN)
        self.positions = nn.Embedding(MAX_POSITIONS, HIDDEN)
        self.types = nn.Embedding(2, HIDDEN)
        self.norm = nn.LayerNorm(HIDDEN)
        self.qkv = nn.Linear(HIDDEN, 3 * HIDDEN)
        self.out = nn.Linear(HIDDEN, HIDDEN)
        self.ff = nn.Sequential(nn.Linear(HIDDEN, 2 * HIDDEN), nn.GELU(), nn.Linear(2 * HIDDEN, HIDDEN))
        self.norm2 = nn.LayerNorm(HIDDEN)

    def forward(self, input_ids, attention_mask, token_type_ids):
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = self.norm(self.words(input_ids) + self.positions(positions) + self.types(token_type_ids))
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        scores = q @ k.transpose(1, 2) / (HIDDEN ** 0.5)
        scores = scores + (1.0 - attention_mask.unsqueeze(1).to(torch.float32)) * -10000.0
        x = x + self.out(torch.softmax(scores, dim=-1) @ v)
        return self.norm2(x + self.ff(x))


def pool(states, mask, mode):
    if mode == "cls":
        return states[0]
    if mode == "lasttoken":
        return states[int(mask.sum()) - 1]
    m = mask.unsqueeze(-1).to(torch.float32)
    return (states * m).sum(0) / m.sum()


def main():
    vocab_path, output = sys.argv[1], sys.argv[2]
    vocab = load_vocab(vocab_path)
    torch.manual_seed(20261207)
    model = TinyEncoder(len(vocab)).eval()
    example = torch.tensor([wordpiece(TEXTS[0], vocab)])
    torch.onnx.export(model, (example, torch.ones_like(example), torch.zeros_like(example)), f"{output}/model.onnx",
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids", "last_hidden_state"]},
                      opset_version=14)
    cases = []
    with torch.no_grad():
        for mode in ["mean", "cls", "lasttoken"]:
            for normalize in [False, True]:
                for prompt in ["", PROMPT]:
                    vectors = []
                    for text in TEXTS:
                        ids = torch.tensor([wordpiece(prompt + text, vocab)])
                        mask = torch.ones_like(ids)
                        states = model(ids, mask, torch.zeros_like(ids))[0]
                        vector = pool(states, mask[0], mode)
                        if normalize:
                            vector = torch.nn.functional.normalize(vector, dim=0)
                        vectors.append([float(x) for x in vector])
                    cases.append({"pooling": mode, "normalize": normalize, "prompt": prompt, "vectors": vectors})
    with open(f"{output}/reference.json", "w", encoding="utf-8") as f:
        json.dump({"texts": TEXTS, "prompt": PROMPT, "cases": cases}, f, indent=1)


main()
