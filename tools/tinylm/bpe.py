"""Byte-level BPE with GPT-2's conventions, trained on a corpus and written as vocab.json + merges.txt.

Each model gives its own pre-tokenizer: Python's re lacks \\p{L}, so the scripts pass an ASCII version of
the pattern the C# tokenizer uses. On ASCII text (the whole corpus and every prompt) both split alike.
"""
import collections
import json
import math
import re


def bytes_to_unicode():
    """GPT-2's reversible map of the 256 byte values to printable characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}


class ByteLevelBpe:
    """A pre-tokenizer pattern, special tokens that are never split, and (once trained) vocab and merges."""

    def __init__(self, pretokenize, special_tokens):
        self.pretokenize = pretokenize
        self.special_tokens = list(special_tokens)
        self.special_split = re.compile("(" + "|".join(re.escape(t) for t in self.special_tokens) + ")")
        self.vocab, self.merges, self.ranks, self.cache = {}, [], {}, {}

    def words_of(self, text):
        for piece in self.special_split.split(text):
            if piece in self.special_tokens:
                yield piece, True
            elif piece:
                for w in self.pretokenize.findall(piece):
                    yield "".join(BYTE_ENCODER[b] for b in w.encode("utf-8")), False

    def train(self, text, vocab_size):
        """Merges the most frequent pair until the vocabulary (special tokens last) has vocab_size entries."""
        counts = collections.Counter(w for w, special in self.words_of(text) if not special)
        words = {w: list(w) for w in counts}
        vocab = [BYTE_ENCODER[b] for b in range(256)]
        merges = []
        target = vocab_size - len(self.special_tokens)
        while len(vocab) < target:
            pairs = collections.Counter()
            for w, symbols in words.items():
                c = counts[w]
                for a, b in zip(symbols, symbols[1:]):
                    pairs[(a, b)] += c
            if not pairs:
                break
            # Highest count; ties broken by the pair itself so the result never depends on dict order.
            best = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))[0]
            merged = best[0] + best[1]
            merges.append(best)
            vocab.append(merged)
            for w, symbols in words.items():
                if len(symbols) < 2:
                    continue
                out, i = [], 0
                while i < len(symbols):
                    if i + 1 < len(symbols) and symbols[i] == best[0] and symbols[i + 1] == best[1]:
                        out.append(merged)
                        i += 2
                    else:
                        out.append(symbols[i])
                        i += 1
                words[w] = out
        vocab += self.special_tokens
        self.vocab = {tok: i for i, tok in enumerate(vocab)}
        self.merges = merges
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.cache = {}
        return self

    def bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        symbols = list(word)
        while len(symbols) > 1:
            ranked = [(self.ranks.get((a, b), math.inf), i) for i, (a, b) in enumerate(zip(symbols, symbols[1:]))]
            rank, i = min(ranked)
            if rank == math.inf:
                break
            symbols = symbols[:i] + [symbols[i] + symbols[i + 1]] + symbols[i + 2:]
        ids = [self.vocab[s] for s in symbols]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for w, special in self.words_of(text):
            ids.extend([self.vocab[w]] if special else self.bpe(w))
        return ids

    def decode(self, ids):
        tokens = {i: t for t, i in self.vocab.items()}
        return bytes(BYTE_DECODER[c] for i in ids for c in tokens[i]).decode("utf-8", "replace")

    def id_of(self, token):
        return self.vocab[token]

    def write_vocab_and_merges(self, out):
        (out / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        (out / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in self.merges),
                                        encoding="utf-8")

    def added_tokens(self):
        """tokenizer_config.json's added_tokens_decoder: "id" -> the token and its flags, in vocabulary order."""
        return {str(self.vocab[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                                "single_word": False, "special": True} for t in self.special_tokens}
