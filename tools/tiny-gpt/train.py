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
The BPE, the training loop and the export are shared with tools/tiny-llama/train.py (tools/tinylm/).
"""
import json
import math
import pathlib
import re
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE.parent))
from tinylm import export, training  # noqa: E402
from tinylm.bpe import ByteLevelBpe  # noqa: E402

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# GPT-2's pre-tokenizer restricted to ASCII classes: Python's re lacks \p{L}. On ASCII text (all of the
# corpus and the prompts) it splits exactly like GPT-2's pattern, which is what the C# side uses.
PRETOKENIZE = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")

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
    # Chats: the dashboard's demo model must answer in turn, ending its message itself (the C# tests check it).
    [("user", "Tell me about the bee.")],
    [("user", "What is 2 plus 3?")],
    [("system", "You are a helpful assistant."), ("user", "Hello, my name is Anna.")],
]
REFERENCE_MAX_NEW_TOKENS = 32


def render_chat(messages):
    """What CHATML_TEMPLATE renders with add_generation_prompt (the C# tests check that they agree)."""
    return "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in messages) + "<|im_start|>assistant\n"


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


def answers_in_turn(references_path, special_ids, eos_ids):
    """Refuses a model whose chat answers open with a special token (a new turn: its role word then shows in the
    dashboard) or do not end with an end token: train longer."""
    for reference in json.loads(references_path.read_text(encoding="utf-8"))["references"]:
        if "messages" not in reference:
            continue
        ids = reference["generated_ids"]
        if ids[0] in special_ids or ids[-1] not in eos_ids:
            sys.exit(f"tiny-gpt does not answer {reference['messages'][-1]['content']!r} in turn ({ids}): train longer")


def main():
    args, out = training.start(REPO / "Inference.Grpc/models/tiny-gpt/1", default_steps=600)
    config = dict(n_layer=4, n_head=4, n_embd=128, n_positions=1024)

    text = (HERE / "corpus.txt").read_text(encoding="utf-8")
    t0 = time.time()
    tokenizer = ByteLevelBpe(PRETOKENIZE, SPECIAL_TOKENS).train(text, args.vocab_size)
    vocab = tokenizer.vocab
    data = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    print(f"BPE: {len(vocab)} tokens, {len(tokenizer.merges)} merges, corpus {len(text)} chars -> {len(data)} tokens "
          f"({time.time() - t0:.1f}s)")

    model = TinyGpt(len(vocab), config["n_positions"], config["n_embd"], config["n_layer"], config["n_head"])
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters")
    # 128-token windows hold whole chats: with 64 most windows began inside one, and the model learnt to open a new turn
    # (<|im_start|>) right after "assistant\n" instead of answering.
    training.train(model, data, args.steps, config["n_positions"], block=128, batch=8)

    # Tokenizer files, GPT-2 style.
    tokenizer.write_vocab_and_merges(out)
    eos = vocab["<|endoftext|>"]
    im_end = vocab["<|im_end|>"]
    export.write_tokenizer_config(out, tokenizer, "GPT2Tokenizer", config["n_positions"], CHATML_TEMPLATE,
                                  bos="<|endoftext|>", eos="<|im_end|>", unk="<|endoftext|>", pad="<|endoftext|>",
                                  additional=["<|im_start|>", "<|im_end|>"])
    export.write_json(out / "config.json", {
        "architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": len(vocab),
        "n_positions": config["n_positions"], "n_ctx": config["n_positions"], "n_embd": config["n_embd"],
        "n_layer": config["n_layer"], "n_head": config["n_head"], "activation_function": "gelu",
        "bos_token_id": eos, "eos_token_id": eos, "use_cache": True, "torch_dtype": "float32",
    })
    export.write_json(out / "generation_config.json", {
        "bos_token_id": eos, "eos_token_id": [eos, im_end], "max_new_tokens": 64,
        "do_sample": True, "temperature": 0.8, "top_p": 0.95,
    })

    export.export_onnx(model, out / "model.onnx", config["n_layer"], config["n_head"],
                       config["n_embd"] // config["n_head"])
    # References: greedy, full recompute every step, stop at either end token.
    references = [p if isinstance(p, str) else (p, render_chat(p)) for p in REFERENCE_PROMPTS]
    export.write_references(out, model, tokenizer, references, REFERENCE_MAX_NEW_TOKENS, (eos, im_end))
    answers_in_turn(out / "reference_generations.json", {vocab[t] for t in SPECIAL_TOKENS}, (eos, im_end))
    export.write_model_json(
        out.parent,
        "tiny-gpt: a 4-layer demo decoder trained by tools/tiny-gpt/train.py on tools/tiny-gpt/corpus.txt")


if __name__ == "__main__":
    main()
