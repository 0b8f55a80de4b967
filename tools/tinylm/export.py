"""What an exported demo decoder ships: the ONNX graph in Optimum's decoder signature, the tokenizer's JSON files,
model.json, and reference_generations.json, the greedy ids the C# tests must reproduce."""
import json

import onnx
import torch


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2), encoding="utf-8")


def write_model_json(model_dir, description):
    """The repository's descriptor: a text-generation model, with a line that says what it is."""
    (model_dir / "model.json").write_text(json.dumps({
        "task": "text-generation",
        "description": description,
    }, indent=2) + "\n", encoding="utf-8")


def write_tokenizer_config(out, tokenizer, tokenizer_class, model_max_length, chat_template, bos, eos, unk, pad,
                           additional):
    """tokenizer_config.json (special tokens, chat template) and special_tokens_map.json; None leaves a token unset."""
    special = {"bos_token": bos, "eos_token": eos, "unk_token": unk, "pad_token": pad}
    write_json(out / "tokenizer_config.json", {
        "tokenizer_class": tokenizer_class, "add_prefix_space": False, "model_max_length": model_max_length,
        **special, "added_tokens_decoder": tokenizer.added_tokens(), "chat_template": chat_template,
    })
    write_json(out / "special_tokens_map.json", {
        **{name: token for name, token in special.items() if token is not None},
        "additional_special_tokens": additional,
    })


def export_onnx(model, path, layers, kv_heads, head_dim):
    """torch.onnx.export (opset 14, dynamic batch and lengths) with the signature Optimum gives decoder exports:
    input_ids, attention_mask, position_ids, past_key_values.{i}.key/value [batch, kv_heads, past, head_dim] in;
    logits, present.{i}.key/value out."""
    model.eval()
    b, s, past = 1, 3, 2
    input_ids = torch.randint(0, 100, (b, s))
    mask = torch.ones(b, past + s, dtype=torch.int64)
    pos = torch.arange(past, past + s)[None, :]
    shape = (b, kv_heads, past, head_dim)
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
    onnx.checker.check_model(str(path))
    print(f"model.onnx: {path.stat().st_size} bytes")


def run_full(model, ids):
    """Logits of the last position, recomputing the whole sequence (no cache)."""
    input_ids = torch.tensor([ids])
    mask = torch.ones_like(input_ids)
    pos = torch.arange(len(ids))[None, :]
    flat = [t for kv in model.empty_past(1) for t in kv]
    return model(input_ids, mask, pos, *flat)[0][0, -1]


def greedy_reference(model, prompt_ids, max_new_tokens, eos_ids):
    """Greedy ids by full recompute each step, and the smallest gap between the two best logits on the way."""
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


def write_references(out, model, tokenizer, prompts, max_new_tokens, eos_ids):
    """reference_generations.json: for each prompt (a string, or (messages, the prompt they render to)), its ids
    and the greedy ids PyTorch generates from them, stopping at any of eos_ids."""
    references = []
    with torch.no_grad():
        for prompt in prompts:
            conversation = {}
            if not isinstance(prompt, str):
                messages, prompt = prompt
                conversation = {"messages": [{"role": role, "content": content} for role, content in messages]}
            prompt_ids = tokenizer.encode(prompt)
            ids, margin = greedy_reference(model, prompt_ids, max_new_tokens, eos_ids)
            references.append({**conversation, "prompt": prompt, "prompt_ids": prompt_ids, "generated_ids": ids,
                               "min_top2_logit_margin": round(margin, 4)})
            print(f"{prompt!r} -> {tokenizer.decode(ids)!r} (min margin {margin:.3f})")
    write_json(out / "reference_generations.json", {
        "max_new_tokens": max_new_tokens, "decoding": "greedy", "eos_token_ids": list(eos_ids),
        "computed_with": f"torch {torch.__version__}, float32, full recompute per step",
        "references": references,
    })
