"""Hugging Face Optimum's decoder layouts, exported from the one torch definition (decoder.py):

    model.onnx                    input_ids, attention_mask, [position_ids], past_key_values.{i}.key/value in;
                                  logits, present.{i}.key/value out (past [batch, kv_heads, past, head_dim])
    decoder_model_merged.onnx     the same plus use_cache_branch (bool [1]): an If whose else-branch is the export
                                  without past inputs (the first step) and whose then-branch is the export with them;
                                  both branches read one copy of the weights from the outer graph, as Optimum merges
    float16                       every float tensor float16, inputs and outputs included
    int8                          MatMulInteger dynamic quantization (rewrite.quantize_int8)
    external data                 the weights in <file>_data beside the graph (Optimum's naming)
"""
import hashlib
import pathlib

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from decoder import WithoutPast, WithoutPositionIds

OPSET = 14


def export(decoder, path, position_ids=True, past=True):
    """torch.onnx.export with dynamic batch and lengths to path (over 2 GiB torch writes the weights as files beside
    it, which onnx.load reads back)."""
    config = decoder.config
    layers, kv_heads, head_dim = config["num_hidden_layers"], config["num_key_value_heads"], config["head_dim"]
    b, s, past_len = 2, 3, 2
    args = [torch.randint(0, 100, (b, s)), torch.ones(b, (past_len if past else 0) + s, dtype=torch.int64)]
    names = ["input_ids", "attention_mask"]
    dynamic = {"input_ids": {0: "batch_size", 1: "sequence_length"},
               "attention_mask": {0: "batch_size", 1: "past_sequence_length + sequence_length"},
               "logits": {0: "batch_size", 1: "sequence_length"}}
    if position_ids:
        args.append(torch.arange(past_len if past else 0, (past_len if past else 0) + s)[None, :].expand(b, -1))
        names.append("position_ids")
        dynamic["position_ids"] = {0: "batch_size", 1: "sequence_length"}
    outputs = ["logits"]
    for i in range(layers):
        for kind in ("key", "value"):
            if past:
                names.append(f"past_key_values.{i}.{kind}")
                args.append(torch.randn(b, kv_heads, past_len, head_dim))
                dynamic[names[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            outputs.append(f"present.{i}.{kind}")
            dynamic[outputs[-1]] = {0: "batch_size", 2: "past_sequence_length + sequence_length"}
    if past:
        module = decoder if position_ids else WithoutPositionIds(decoder)
    else:
        module = WithoutPast(decoder, position_ids)
    module.eval()
    path = pathlib.Path(path)
    with torch.no_grad():
        torch.onnx.export(module, tuple(args), str(path), opset_version=OPSET, input_names=names,
                          output_names=outputs, dynamic_axes=dynamic, do_constant_folding=True)
    return path


def merge(with_past, without_past):
    """Optimum's decoder_model_merged: one If on use_cache_branch over the two exports, their weights deduplicated by
    content into the outer graph (the two exports name constant-folded weights differently)."""
    by_content, initializers = {}, []

    def canonical(tensor):
        key = (tensor.data_type, tuple(tensor.dims), hashlib.sha256(tensor.SerializeToString(deterministic=True)
                                                                     if not tensor.raw_data else tensor.raw_data).hexdigest())
        if key not in by_content:
            by_content[key] = f"merged_weight_{len(by_content)}"
            copy = onnx.TensorProto()
            copy.CopyFrom(tensor)
            copy.name = by_content[key]
            initializers.append(copy)
        return by_content[key]

    outer_inputs = {i.name for i in with_past.graph.input}

    def branch(model, prefix):
        graph = model.graph
        renames = {t.name: canonical(t) for t in graph.initializer}
        keep = outer_inputs | set(renames.values())
        for node in graph.node:
            for i, name in enumerate(node.input):
                name = renames.get(name, name)
                node.input[i] = name if name in keep or name == "" else prefix + name
            for i, name in enumerate(node.output):
                node.output[i] = prefix + name
            node.name = prefix + node.name
        outputs = []
        for o in graph.output:
            value = helper.make_tensor_value_info(prefix + o.name, o.type.tensor_type.elem_type, None)
            outputs.append(value)
        return helper.make_graph(list(graph.node), prefix.strip("/"), [], outputs)

    then_branch = branch(with_past, "with_past/")
    else_branch = branch(without_past, "without_past/")
    use_cache = helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1])
    # If reads a scalar condition; use_cache_branch is [1] as Optimum declares it.
    condition = helper.make_node("Squeeze", ["use_cache_branch", "merged_condition_axes"], ["merged_condition"])
    initializers.append(numpy_helper.from_array(np.array([0], dtype=np.int64), "merged_condition_axes"))
    optional = helper.make_node("If", ["merged_condition"], [o.name for o in with_past.graph.output],
                                then_branch=then_branch, else_branch=else_branch, name="optimum::if")
    graph = helper.make_graph([condition, optional], "decoder_model_merged",
                              list(with_past.graph.input) + [use_cache], list(with_past.graph.output), initializers)
    merged = helper.make_model(graph, opset_imports=list(with_past.opset_import), producer_name="mlstack-model-builder")
    merged.ir_version = with_past.ir_version
    return merged


def save(model, path, external=False):
    """Writes the model; external=True puts every weight of 1 KiB or more in <file>_data beside it (one file, paths
    relative to the model, as onnx.save_model writes them)."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = path.name + "_data"
    if external:
        (path.parent / data).unlink(missing_ok=True)
        # save_model moves the weights out of the proto it is given: a model is saved once, then dropped.
        onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=data,
                        size_threshold=1024)
    else:
        onnx.save_model(model, str(path))
    return [path] + ([path.parent / data] if external else [])


def exports(decoder, scratch):
    """The three torch exports every Optimum layout is made from, as files in scratch (each layout loads its own
    fresh copy, so a 0.5B model never holds more than a layout's worth in memory): with past and position_ids, with
    past and without position_ids, and without past (the merged decoder's first step)."""
    scratch = pathlib.Path(scratch)
    paths = {}
    for name, position_ids, past in [("with_past", True, True), ("without_position_ids", False, True),
                                     ("without_past", True, False)]:
        folder = scratch / name
        folder.mkdir(parents=True, exist_ok=True)
        paths[name] = folder / "model.onnx"
        export(decoder, paths[name], position_ids=position_ids, past=past)
    return paths
