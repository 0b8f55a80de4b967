#!/usr/bin/python3
"""Trains and exports tiny-gpt, MlStack's demo text generator, in the Hugging Face Optimum ONNX layout.

    /usr/bin/python3 tools/tiny-gpt/train.py [--out Inference.Grpc/models/tiny-gpt/1] [--steps 600]

Needs Debian python3-torch (1.13), python3-onnx and python3-numpy only. Everything is seeded, runs on CPU in
a few minutes and reads only tools/tiny-gpt/corpus.txt (written by make_corpus.py). Steps:
  1. a byte-level BPE (GPT-2 conventions) trained on the corpus -> vocab.json + merges.txt;
  2. a GPT-2-like decoder (4 layers, d=128) trained for a fixed number of steps;
  3. export with a KV cache exactly as Optimum exports GPT-2: inputs input_ids, attention_mask,
     position_ids, past_key_values.{i}.key/value; outputs logits, present.{i}.key/value (opset 14);
  4. config.json, generation_config.json, tokenizer_config.json (ChatML chat template), special_tokens_map.json;
  5. reference_generations.json: greedy token ids of fixed prompts computed with PyTorch (full recompute,
     no cache), which the C# tests must reproduce exactly through ONNX Runtime.
"""
import argparse
import collections
import json
import math
import pathlib
import random
import re
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# GPT-2's pre-tokenizer restricted to ASCII classes: Python's re lacks \p{L}. On ASCII text (all of the
# corpus and the prompts) it splits exactly like GPT-2's pattern, which is what the C# side uses.
PRETOKENIZE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")
SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(t) for t in SPECIAL_TOKENS) + ")")

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

REFERENCE_PROMPTS = [
    "Once upon a time,",
    "The cat",
    "On Monday the weather was",
    "Emma had two apples. Then Emma found",
    "Bread is made from",
]
REFERENCE_MAX_NEW_TOKENS = 32


# ---------------------------------------------------------------------------------------------------------
# Byte-level BPE
# ---------------------------------------------------------------------------------------------------------
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


def words_of(text):
    for piece in SPECIAL_SPLIT.split(text):
        if piece in SPECIAL_TOKENS:
            yield piece, True
        elif piece:
            for w in PRETOKENIZE.findall(piece):
                yield "".join(BYTE_ENCODER[b] for b in w.encode("utf-8")), False


def train_bpe(text, vocab_size):
    counts = collections.Counter(w for w, special in words_of(text) if not special)
    words = {w: list(w) for w in counts}
    vocab = [BYTE_ENCODER[b] for b in range(256)]
    merges = []
    target = vocab_size - len(SPECIAL_TOKENS)
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
    vocab += SPECIAL_TOKENS
    return {tok: i for i, tok in enumerate(vocab)}, merges


class Encoder:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {pair: i for i, pair in enumerate(merges)}
        self.cache = {}

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
        for w, special in words_of(text):
            ids.extend([self.vocab[w]] if special else self.bpe(w))
        return ids


# ---------------------------------------------------------------------------------------------------------
# GPT-2-like decoder with an Optimum-style KV cache signature
# ---------------------------------------------------------------------------------------------------------
class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads, self.head_dim = heads, d // heads
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.mlp_fc = nn.Linear(d, 4 * d)
        self.mlp_proj = nn.Linear(4 * d, d)

    def forward(self, x, mask, past_key, past_value):
        b, s, d = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        shape = (b, s, self.heads, self.head_dim)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        k = torch.cat([past_key, k], dim=2)
        v = torch.cat([past_value, v], dim=2)
        scores = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
        attn = F.softmax(scores, dim=-1) @ v
        x = x + self.c_proj(attn.transpose(1, 2).reshape(b, s, d))
        x = x + self.mlp_proj(F.gelu(self.mlp_fc(self.ln_2(x))))
        return x, k, v


class TinyGpt(nn.Module):
    def __init__(self, vocab_size, n_positions, d, layers, heads):
        super().__init__()
        self.wte = nn.Embedding(vocab_size, d)
        self.wpe = nn.Embedding(n_positions, d)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(d)
        self.heads, self.d = heads, d
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear):
                nn.init.zeros_(module.bias)

    def empty_past(self, batch):
        shape = (batch, self.heads, 0, self.d // self.heads)
        return [(torch.zeros(shape), torch.zeros(shape)) for _ in self.blocks]

    def forward(self, input_ids, attention_mask, position_ids, *past):
        s = input_ids.shape[1]
        past_len = past[0].shape[2]
        total = past_len + s
        query_pos = torch.arange(s, device=input_ids.device) + past_len
        key_pos = torch.arange(total, device=input_ids.device)
        causal = key_pos[None, :] <= query_pos[:, None]
        mask = causal[None, None, :, :] & (attention_mask[:, None, None, :] > 0)
        x = self.wte(input_ids) + self.wpe(position_ids)
        presents = []
        for i, block in enumerate(self.blocks):
            x, k, v = block(x, mask, past[2 * i], past[2 * i + 1])
            presents += [k, v]
        logits = self.ln_f(x) @ self.wte.weight.t()
        return (logits, *presents)


def run_full(model, ids):
    """Logits of the last position, recomputing the whole sequence (no cache)."""
    input_ids = torch.tensor([ids])
    mask = torch.ones_like(input_ids)
    pos = torch.arange(len(ids))[None, :]
    flat = [t for kv in model.empty_past(1) for t in kv]
    return model(input_ids, mask, pos, *flat)[0][0, -1]


def greedy_reference(model, prompt_ids, max_new_tokens, eos_ids):
    ids, out, margins = list(prompt_ids), [], []
    for _ in range(max_new_tokens):
        logits = run_full(model, ids)
        top2 = torch.topk(logits, 2).values
        margins.append(float(top2[0] - top2[1]))
        nxt = int(torch.argmax(logits))
        out.append(nxt)
        ids.append(nxt)
        if nxt in eos_ids:
            break
    return out, min(margins)


def export_onnx(model, path, layers):
    model.eval()
    b, s, past = 1, 3, 2
    input_ids = torch.randint(0, 100, (b, s))
    mask = torch.ones(b, past + s, dtype=torch.int64)
    pos = torch.arange(past, past + s)[None, :]
    shape = (b, model.heads, past, model.d // model.heads)
    past_tensors = [torch.randn(shape) for _ in range(2 * layers)]
    input_names = ["input_ids", "attention_mask", "position_ids"]
    output_names = ["logits"]
    dynamic = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for i in range(layers):
        for kind in ("key", "value"):
            input_names.append(f"past_key_values.{i}.{kind}")
            output_names.append(f"present.{i}.{kind}")
            dynamic[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
            dynamic[f"present.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    with torch.no_grad():
        torch.onnx.export(model, (input_ids, mask, pos, *past_tensors), str(path), opset_version=14,
                          input_names=input_names, output_names=output_names, dynamic_axes=dynamic,
                          do_constant_folding=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(REPO / "Inference.Grpc/models/tiny-gpt/1"))
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--vocab-size", type=int, default=1024)
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    config = dict(n_layer=4, n_head=4, n_embd=128, n_positions=1024)

    text = (HERE / "corpus.txt").read_text(encoding="utf-8")
    t0 = time.time()
    vocab, merges = train_bpe(text, args.vocab_size)
    encoder = Encoder(vocab, merges)
    data = torch.tensor(encoder.encode(text), dtype=torch.long)
    print(f"BPE: {len(vocab)} tokens, {len(merges)} merges, corpus {len(text)} chars -> {len(data)} tokens "
          f"({time.time() - t0:.1f}s)")

    model = TinyGpt(len(vocab), config["n_positions"], config["n_embd"], config["n_layer"], config["n_head"])
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters")
    block, batch = 64, 16
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
    empty = [t for kv in model.empty_past(batch) for t in kv]
    gen = torch.Generator().manual_seed(0)
    t0 = time.time()
    model.train()
    for step in range(args.steps):
        lr = 3e-3 * min(1.0, (step + 1) / 50) * 0.5 * (1 + math.cos(math.pi * step / args.steps))
        for group in optimizer.param_groups:
            group["lr"] = lr
        starts = torch.randint(0, len(data) - block - 1, (batch,), generator=gen)
        x = torch.stack([data[s:s + block] for s in starts])
        y = torch.stack([data[s + 1:s + block + 1] for s in starts])
        # Windows start at random positions so every position embedding up to n_positions is trained.
        offsets = torch.randint(0, config["n_positions"] - block + 1, (batch, 1), generator=gen)
        pos = offsets + torch.arange(block)[None, :]
        logits = model(x, torch.ones_like(x), pos, *empty)[0]
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == args.steps - 1:
            print(f"step {step:4d} loss {loss.item():.3f} ({time.time() - t0:.0f}s)", flush=True)
    model.eval()

    # Tokenizer files, GPT-2 style.
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (out / "merges.txt").write_text("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges), encoding="utf-8")
    eos = vocab["<|endoftext|>"]
    im_end = vocab["<|im_end|>"]
    added = {str(vocab[t]): {"content": t, "lstrip": False, "normalized": False, "rstrip": False,
                             "single_word": False, "special": True} for t in SPECIAL_TOKENS}
    (out / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "GPT2Tokenizer", "add_prefix_space": False, "model_max_length": config["n_positions"],
        "bos_token": "<|endoftext|>", "eos_token": "<|im_end|>", "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "added_tokens_decoder": added, "chat_template": CHATML_TEMPLATE,
    }, indent=2), encoding="utf-8")
    (out / "special_tokens_map.json").write_text(json.dumps({
        "bos_token": "<|endoftext|>", "eos_token": "<|im_end|>", "unk_token": "<|endoftext|>",
        "pad_token": "<|endoftext|>", "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
    }, indent=2), encoding="utf-8")
    (out / "config.json").write_text(json.dumps({
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": len(vocab),
        "n_positions": config["n_positions"], "n_ctx": config["n_positions"], "n_embd": config["n_embd"],
        "n_layer": config["n_layer"], "n_head": config["n_head"], "activation_function": "gelu",
        "bos_token_id": eos, "eos_token_id": eos, "use_cache": True, "torch_dtype": "float32",
    }, indent=2), encoding="utf-8")
    (out / "generation_config.json").write_text(json.dumps({
        "bos_token_id": eos, "eos_token_id": [eos, im_end], "max_new_tokens": 64,
        "do_sample": True, "temperature": 0.8, "top_p": 0.95,
    }, indent=2), encoding="utf-8")

    export_onnx(model, out / "model.onnx", config["n_layer"])
    import onnx
    onnx.checker.check_model(str(out / "model.onnx"))
    print(f"model.onnx: {(out / 'model.onnx').stat().st_size} bytes")

    # References: greedy, full recompute every step, stop at either end token.
    references = []
    with torch.no_grad():
        for prompt in REFERENCE_PROMPTS:
            prompt_ids = encoder.encode(prompt)
            ids, margin = greedy_reference(model, prompt_ids, REFERENCE_MAX_NEW_TOKENS, (eos, im_end))
            references.append({"prompt": prompt, "prompt_ids": prompt_ids, "generated_ids": ids,
                               "min_top2_logit_margin": round(margin, 4)})
            decoded = bytes(
                {v: k for k, v in BYTE_ENCODER.items()}[c] for i in ids for c in
                ({v: k for k, v in vocab.items()}[i])).decode("utf-8", "replace")
            print(f"{prompt!r} -> {decoded!r} (min margin {margin:.3f})")
    (out / "reference_generations.json").write_text(json.dumps({
        "max_new_tokens": REFERENCE_MAX_NEW_TOKENS, "decoding": "greedy", "eos_token_ids": [eos, im_end],
        "computed_with": f"torch {torch.__version__}, float32, full recompute per step",
        "references": references,
    }, indent=2), encoding="utf-8")

    model_dir = out.parent
    (model_dir / "model.json").write_text(json.dumps({
        "task": "text-generation",
        "description": "tiny-gpt: a 4-layer demo decoder trained by tools/tiny-gpt/train.py on tools/tiny-gpt/corpus.txt",
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
