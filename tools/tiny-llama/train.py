#!/usr/bin/python3
"""Trains and exports tiny-llama, MlStack's second demo text generator: the Llama architecture in miniature,
exported in the Hugging Face Optimum ONNX layout that Llama, Qwen2 and SmolLM2 exports have.

    /usr/bin/python3 tools/tiny-llama/train.py [--out Inference.Grpc/models/tiny-llama/1] [--steps 300]

Needs Debian python3-torch (1.13), python3-onnx and python3-numpy only. Everything is seeded, runs on CPU (2
threads) and reads only tools/tiny-gpt/corpus.txt, the corpus tiny-gpt learns too. Steps:
  1. a byte-level BPE with Qwen2's pre-tokenizer (digits one at a time) -> vocab.json + merges.txt, and
     tokenizer.json holding the same BPE with that pre-tokenizer, which the C# tokenizer reads from there;
  2. a Llama decoder: RMSNorm before attention and MLP, rotary positions (from position_ids), SwiGLU MLP,
     grouped-query attention (4 query heads share 2 key/value heads), no biases, tied embeddings;
  3. export with a KV cache as Optimum exports Llama: inputs input_ids, attention_mask, position_ids,
     past_key_values.{i}.key/value [batch, 2 kv heads, past, 32]; outputs logits, present.{i}.key/value;
  4. config.json (LlamaForCausalLM), generation_config.json, tokenizer_config.json (a ChatML template that adds
     the corpus's system prompt when a conversation has none), special_tokens_map.json;
  5. reference_generations.json: greedy ids of plain prompts and of chats (with the messages and the prompt
     the template renders them to), computed with PyTorch (full recompute, no cache).
The BPE, the training loop and the export are shared with tools/tiny-gpt/train.py (tools/tinylm/).
"""
import json
import pathlib
import re
import sys
import time

import torch
import torch.nn as nn

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
CORPUS = REPO / "tools/tiny-gpt/corpus.txt"
sys.path.insert(0, str(HERE.parent))
from tinylm import export, training  # noqa: E402
from tinylm.bpe import ByteLevelBpe  # noqa: E402

sys.path.insert(0, str(HERE.parent / "model-builder"))
from decoder import Decoder  # noqa: E402

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# Qwen2's pre-tokenizer, which tokenizer.json gives the C# side, and its ASCII form for Python's re (no \p{L}):
# on text of printable ASCII and newlines (the corpus and every prompt; checked below) both split alike.
SPLIT_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
PRETOKENIZE = re.compile(r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\nA-Za-z0-9]?[A-Za-z]+|[0-9]| ?[^\sA-Za-z0-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")
ASCII_TEXT = re.compile(r"[\n\x20-\x7e]*")

SYSTEM_PROMPT = "You are a helpful assistant."
# ChatML with the corpus's system prompt by default, as Qwen2 templates do; whitespace control keeps it one line.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if loop.first and message['role'] != 'system' %}"
    "{{- '<|im_start|>system\\n" + SYSTEM_PROMPT + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

REFERENCE_PROMPTS = [
    "Once upon a time,",
    "The dog",
    "On Friday the weather was",
    "Ben had three books. Then Ben found",
    # Words after quotes and punctuation before newlines split differently under Qwen2's and GPT-2's patterns.
    'On the way they met a rabbit. "Hello," said Anna, "where',
    "Snow is made of tiny crystals of ice.\n\nThe owl",
    [("user", "What does a cat do?")],
    [("user", "What is 2 plus 3?")],
    [("system", SYSTEM_PROMPT), ("user", "Hello, my name is Anna.")],
    [("user", "Tell me about the owl."), ("assistant", "The owl sits in an old oak tree. It also hoots at the moon."),
     ("user", "What is 4 plus 1?")],
]
REFERENCE_MAX_NEW_TOKENS = 32


def render_chat(messages):
    """What CHAT_TEMPLATE renders with add_generation_prompt (the C# tests check that they agree)."""
    turns = ([] if messages[0][0] == "system" else [("system", SYSTEM_PROMPT)]) + list(messages)
    return "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in turns) + "<|im_start|>assistant\n"


# ---------------------------------------------------------------------------------------------------------
# A Llama decoder with an Optimum-style KV cache signature (parameter names as in LlamaForCausalLM)
# ---------------------------------------------------------------------------------------------------------
class TinyLlama(Decoder):
    """The builder's decoder (tools/model-builder/decoder.py, the one Llama/Qwen2-style definition) with the small
    normal initialisation training starts from."""

    def __init__(self, config):
        super().__init__(config)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)


def write_tokenizer_json(out, tokenizer):
    """The same BPE as a Hugging Face tokenizer.json: Qwen2's Split pre-tokenizer then byte-level, no normalizer."""
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}
    flags = tokenizer.added_tokens()
    (out / "tokenizer.json").write_text(json.dumps({
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": int(i), **flags[i]} for i in flags],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN}, "behavior": "Isolated", "invert": False},
            byte_level,
        ]},
        "post_processor": byte_level,
        "decoder": byte_level,
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                  "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": tokenizer.vocab, "merges": [f"{a} {b}" for a, b in tokenizer.merges]},
    }, ensure_ascii=False), encoding="utf-8")


def main():
    args, out = training.start(REPO / "Inference.Grpc/models/tiny-llama/1", default_steps=300)
    cpu0 = time.process_time()
    text = CORPUS.read_text(encoding="utf-8")
    prompts = [p if isinstance(p, str) else render_chat(p) for p in REFERENCE_PROMPTS]
    for checked in [text, *prompts]:
        if not ASCII_TEXT.fullmatch(checked):
            raise SystemExit("the ASCII pre-tokenizer only matches the C# one on printable ASCII and newlines")
    t0 = time.time()
    tokenizer = ByteLevelBpe(PRETOKENIZE, SPECIAL_TOKENS).train(text, args.vocab_size)
    data = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    print(f"BPE: {len(tokenizer.vocab)} tokens, {len(tokenizer.merges)} merges, corpus {len(text)} chars -> "
          f"{len(data)} tokens ({time.time() - t0:.1f}s)")

    eos, im_end = tokenizer.id_of("<|endoftext|>"), tokenizer.id_of("<|im_end|>")
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": len(tokenizer.vocab),
        "hidden_size": 128, "intermediate_size": 352, "num_hidden_layers": 4, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 32, "hidden_act": "silu", "max_position_embeddings": 1024,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "rope_scaling": None, "attention_bias": False,
        "attention_dropout": 0.0, "mlp_bias": False, "tie_word_embeddings": True, "initializer_range": 0.02,
        "bos_token_id": eos, "eos_token_id": im_end, "use_cache": True, "torch_dtype": "float32",
    }
    model = TinyLlama(config)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"model: {parameters} parameters")
    # 128-token windows hold whole multi-turn chats (tiny-gpt's 64 cut many of them).
    loss = training.train(model, data, args.steps, config["max_position_embeddings"], block=128, batch=8)

    tokenizer.write_vocab_and_merges(out)
    write_tokenizer_json(out, tokenizer)
    export.write_tokenizer_config(out, tokenizer, "Qwen2Tokenizer", config["max_position_embeddings"], CHAT_TEMPLATE,
                                  bos=None, eos="<|im_end|>", unk=None, pad="<|endoftext|>",
                                  additional=["<|im_start|>", "<|im_end|>"])
    export.write_json(out / "config.json", config)
    export.write_json(out / "generation_config.json", {
        "bos_token_id": eos, "eos_token_id": [im_end, eos], "pad_token_id": eos, "max_new_tokens": 64,
        "do_sample": True, "temperature": 0.7, "top_p": 0.9,
    })
    export.export_onnx(model, out / "model.onnx", config["num_hidden_layers"], config["num_key_value_heads"],
                       config["head_dim"])
    references = [p if isinstance(p, str) else (p, render_chat(p)) for p in REFERENCE_PROMPTS]
    export.write_references(out, model, tokenizer, references, REFERENCE_MAX_NEW_TOKENS, (im_end, eos))
    export.write_model_json(
        out.parent,
        f"tiny-llama: a 4-layer Llama-architecture demo decoder (grouped-query attention, rotary positions, SwiGLU, "
        f"RMSNorm; {parameters} parameters) trained by tools/tiny-llama/train.py on tools/tiny-gpt/corpus.txt")
    print(f"final loss {loss:.3f}; {time.process_time() - cpu0:.0f} CPU-seconds in all")


if __name__ == "__main__":
    main()
