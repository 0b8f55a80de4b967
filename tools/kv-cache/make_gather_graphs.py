# Builds the KV-cache gather graphs that Inference.Grpc runs on the device when a batch of sequences changes
# (Inference.Grpc/Generation/Decoding/Graphs/kv_cache_gather_<type>.onnx, embedded in the service).
#
# One graph per cache element type (float32, float16). Inputs: two caches a and b ([batch, kv_heads, past, head_dim]),
# for each the rows to keep (int64 [k]), the first column to keep (int64 [1]: leading padding no row needs) and the
# shape of the zero padding put before the kept columns (int64 [4]: [k, kv_heads, pad, head_dim]). Output: the kept
# rows of a, then those of b, right-aligned under the same number of columns:
#   concat(axis 0)( concat(axis 2)(zeros_a, slice(gather(a, rows_a), start_a)), concat(axis 2)(zeros_b, ...) )
#
# And one per type for onnxruntime-genai's shared buffer (kv_cache_gather_left_<type>.onnx): rows left-aligned in a
# buffer of a given capacity. Per side the rows to keep, the number of leading columns to keep (int64 [1]) and the
# shape of the padding put after them ([k, kv_heads, capacity - kept, head_dim]):
#   concat(axis 0)( concat(axis 2)(slice(gather(a, rows_a), 0, end_a), zeros_a), concat(axis 2)(..., zeros_b) )
# Run with /usr/bin/python3 (Debian python3-onnx); the output is committed, so building needs no Python.
import pathlib

import onnx
from onnx import TensorProto, helper

OUT = pathlib.Path(__file__).resolve().parents[2] / "Inference.Grpc" / "Generation" / "Decoding" / "Graphs"


def build(element_type, name, left=False):
    cache = ["batch", "kv_heads", "past", "head_dim"]
    inputs, nodes, kept = [], [], []
    for side in ("a", "b"):
        inputs += [
            helper.make_tensor_value_info(side, element_type, [f"{c}_{side}" for c in cache]),
            helper.make_tensor_value_info(f"rows_{side}", TensorProto.INT64, [f"k_{side}"]),
            helper.make_tensor_value_info(f"{'end' if left else 'start'}_{side}", TensorProto.INT64, [1]),
            helper.make_tensor_value_info(f"zeros_{side}", TensorProto.INT64, [4]),
        ]
        nodes += [
            helper.make_node("Gather", [side, f"rows_{side}"], [f"gathered_{side}"], axis=0),
            helper.make_node("Slice", [f"gathered_{side}", "zero_start", f"end_{side}", "columns"], [f"sliced_{side}"])
            if left else
            helper.make_node("Slice", [f"gathered_{side}", f"start_{side}", "end", "columns"], [f"sliced_{side}"]),
            helper.make_node("ConstantOfShape", [f"zeros_{side}"], [f"padding_{side}"],
                             value=helper.make_tensor("zero", element_type, [1], [0])),
            helper.make_node("Concat", [f"sliced_{side}", f"padding_{side}"] if left else [f"padding_{side}", f"sliced_{side}"],
                             [f"aligned_{side}"], axis=2),
        ]
        kept.append(f"aligned_{side}")
    nodes.append(helper.make_node("Concat", kept, ["merged"], axis=0))
    initializers = [
        helper.make_tensor("zero_start", TensorProto.INT64, [1], [0]) if left else helper.make_tensor("end", TensorProto.INT64, [1], [2**62]),
        helper.make_tensor("columns", TensorProto.INT64, [1], [2]),
    ]
    outputs = [helper.make_tensor_value_info("merged", element_type, ["rows", "kv_heads", "columns", "head_dim"])]
    graph = helper.make_graph(nodes, f"kv_cache_gather_{name}", inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mlstack")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(OUT / f"kv_cache_gather_{name}.onnx"))


OUT.mkdir(parents=True, exist_ok=True)
build(TensorProto.FLOAT, "float")
build(TensorProto.FLOAT16, "float16")
build(TensorProto.FLOAT, "left_float", left=True)
build(TensorProto.FLOAT16, "left_float16", left=True)
