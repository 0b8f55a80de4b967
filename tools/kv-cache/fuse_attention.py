# Rewrites a decoder export's attention into ONNX Runtime's GroupQueryAttention (com.microsoft), whose KV cache can be
# one preallocated buffer per layer written in place: bound as both past_key_values.N.* and present.N.*, a step writes
# only its new tokens into it instead of copying the whole past into a new present (the exported Concat does that).
#
# An experiment, not what the server runs: tests/Benchmarks' `fused-attention` suite checks that the rewritten model
# decodes the same greedy ids as the original and times its step beside the original's (docs/benchmarks.md, "Text
# generation"). Serving such a model needs a cache laid out the way the operator reads it (each row's tokens from slot 0,
# its length in seqlens_k) instead of the server's right-aligned rows under an attention mask.
#
# Handles the layout of the shipped demo decoders (tools/tiny-gpt, tools/tiny-llama) per layer:
#   present_k = Concat(past_k, k_new, axis 2) -> [Unsqueeze] -> Transpose -> MatMul(q, .) -> Mul(scale) -> Where(causal)
#   -> Softmax -> MatMul(., [Unsqueeze] present_v) -> Transpose/Reshape ... -> Reshape to [batch, seq, hidden]
# and refuses (exits non-zero) a graph in which it does not find that. The attention_mask input goes (GroupQueryAttention
# masks by seqlens_k); seqlens_k (int32 [batch], each row's total length - 1) and total_sequence_length (int32 scalar)
# come in.
# Run with /usr/bin/python3 (Debian python3-onnx):
#   /usr/bin/python3 tools/kv-cache/fuse_attention.py Inference.Grpc/models/tiny-gpt/1 /tmp/fused/tiny-gpt.onnx
import json
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def fuse(model_dir: pathlib.Path) -> onnx.ModelProto:
    model = onnx.load(str(model_dir / "model.onnx"))
    config = json.loads((model_dir / "config.json").read_text())
    heads = config.get("num_attention_heads") or config["n_head"]
    graph = model.graph
    inputs = {i.name: i for i in graph.input}

    def consumers(tensor):
        return [n for n in graph.node if tensor in n.input]

    def constant(tensor):
        for t in graph.initializer:
            if t.name == tensor:
                return numpy_helper.to_array(t)
        for n in graph.node:
            if n.op_type == "Constant" and n.output[0] == tensor:
                return numpy_helper.to_array(n.attribute[0].t)
        raise SystemExit(f"{tensor} is not a constant")

    def only(nodes, what):
        if len(nodes) != 1:
            raise SystemExit(f"expected one {what}, found {len(nodes)}")
        return nodes[0]

    def shape_constant(name, values):
        graph.initializer.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    layers = sorted({int(name.split(".")[1]) for name in inputs if name.startswith("past_key_values.")})
    for layer in layers:
        past_key, past_value = f"past_key_values.{layer}.key", f"past_key_values.{layer}.value"
        concat_k = only([n for n in graph.node if n.op_type == "Concat" and n.input[0] == past_key], f"Concat of {past_key}")
        concat_v = only([n for n in graph.node if n.op_type == "Concat" and n.input[0] == past_value], f"Concat of {past_value}")
        dims = inputs[past_key].type.tensor_type.shape.dim
        kv_heads, head_size = dims[1].dim_value, dims[3].dim_value

        tensor = concat_k.output[0]
        while True:  # present key -> (Unsqueeze) -> Transpose -> MatMul(q, k^T)
            node = only([n for n in consumers(tensor) if n.op_type in ("Unsqueeze", "Transpose", "MatMul")], "use of the key")
            if node.op_type == "MatMul":
                scores = node
                break
            tensor = node.output[0]
        query = scores.input[0]
        scale_node = only(consumers(scores.output[0]), "scale of the scores")
        if scale_node.op_type != "Mul":
            raise SystemExit(f"layer {layer}: scores scaled by {scale_node.op_type}, not Mul")
        scale = float(constant(scale_node.input[1]))
        tensor = scale_node.output[0]
        while (node := only(consumers(tensor), "step to the softmax")).op_type != "Softmax":
            tensor = node.output[0]
        weighted = only(consumers(node.output[0]), "MatMul of the probabilities")
        tensor, merged = weighted.output[0], None
        while len(uses := consumers(tensor)) == 1 and uses[0].op_type in ("Transpose", "Reshape"):
            merged = uses[0] if uses[0].op_type == "Reshape" else merged
            tensor = uses[0].output[0]
        if merged is None:
            raise SystemExit(f"layer {layer}: no Reshape merges the heads")

        p = f"fused_attention.{layer}."
        flat = shape_constant(p + "flat", [0, 0, -1])
        nodes = [
            # q is [batch, heads, seq, head] (or [batch, kv_heads, group, seq, head]): to [batch, seq, heads * head]
            helper.make_node("Reshape", [query, shape_constant(p + "heads", [0, heads, -1, head_size])], [p + "q_heads"]),
            helper.make_node("Transpose", [p + "q_heads"], [p + "q_bsnh"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [p + "q_bsnh", flat], [p + "q"]),
            helper.make_node("Transpose", [concat_k.input[1]], [p + "k_bsnh"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [p + "k_bsnh", flat], [p + "k"]),
            helper.make_node("Transpose", [concat_v.input[1]], [p + "v_bsnh"], perm=[0, 2, 1, 3]),
            helper.make_node("Reshape", [p + "v_bsnh", flat], [p + "v"]),
            helper.make_node("GroupQueryAttention",
                             [p + "q", p + "k", p + "v", past_key, past_value, "seqlens_k", "total_sequence_length"],
                             [p + "output", concat_k.output[0], concat_v.output[0]],
                             domain="com.microsoft", num_heads=heads, kv_num_heads=kv_heads, scale=scale),
        ]
        graph.node.remove(concat_k)
        graph.node.remove(concat_v)
        for node in graph.node:
            for i, name in enumerate(node.input):
                if name == merged.output[0]:
                    node.input[i] = p + "output"
        graph.node.extend(nodes)

    graph.input.append(helper.make_tensor_value_info("seqlens_k", TensorProto.INT32, ["batch_size"]))
    graph.input.append(helper.make_tensor_value_info("total_sequence_length", TensorProto.INT32, []))
    prune_and_sort(graph)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def prune_and_sort(graph):
    """Drops what no output needs any more (the old attention, the mask), and puts the nodes in dependency order."""
    needed = {o.name for o in graph.output}
    kept = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            kept.append(node)
            needed.update(node.input)
    available = {i.name for i in graph.input} | {t.name for t in graph.initializer} | {""}
    ordered, pending = [], kept[::-1]
    while pending:
        ready = [n for n in pending if all(i in available for i in n.input)]
        if not ready:
            raise SystemExit("the rewritten graph has a cycle")
        for node in ready:
            ordered.append(node)
            available.update(node.output)
            pending.remove(node)
    del graph.node[:]
    graph.node.extend(ordered)
    for unused in [i for i in graph.input if i.name not in needed]:
        graph.input.remove(unused)
    del graph.value_info[:]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: fuse_attention.py MODEL_VERSION_DIR OUTPUT.onnx")
    fused = fuse(pathlib.Path(sys.argv[1]))
    pathlib.Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    onnx.save(fused, sys.argv[2])
    print(f"{sys.argv[2]}: {len(fused.graph.node)} nodes")
