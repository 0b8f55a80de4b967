"""onnxruntime-genai's builder layout, written node by node from the torch definition's weights (as that builder
writes its graphs, rather than tracing):

    inputs    input_ids int64 [batch_size, sequence_length], attention_mask int64 [batch_size, total_sequence_length],
              past_key_values.{i}.key/value float [batch_size, kv_heads, past_sequence_length, head_size]; no
              position_ids
    outputs   logits float [batch_size, sequence_length, vocab], present.{i}.key/value (the same buffer as the past
              when the caller shares them: past_present_share_buffer, one max-length buffer written in place)
    graph     seqlens_k = ReduceSum(attention_mask) - 1 and total_sequence_length = its width, both int32, computed
              once and read by every layer's GroupQueryAttention (com.microsoft) with the rotary embedding inside
              (do_rotary, cos_cache/sin_cache of the whole context); SimplifiedLayerNormalization for RMSNorm;
              MatMul (float32) or MatMulNBits (int4, block 32, asymmetric with zero points) for every projection,
              lm_head included; the embedding stays float32
    files     model.onnx + model.onnx.data, genai_config.json (field names as onnxruntime-genai's builder writes them)
"""
import json
import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from rewrite import quantize_int4

OPSET = 17
BLOCK_SIZE = 32


class GraphWriter:
    def __init__(self, weights, matmul, accuracy_level):
        self.nodes, self.initializers = [], []
        self.weights = weights          # parameter name -> float32 array, as in the torch state_dict
        self.matmul = matmul            # "float32", "int4" or "int4-dequantized"
        self.accuracy_level = accuracy_level

    def constant(self, name, array):
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, name, outputs=1, domain="", **attributes):
        names = [name] if outputs == 1 else [f"{name}/output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, names, name=name, domain=domain, **attributes))
        return names[0] if outputs == 1 else names

    def linear(self, x, parameter, name, weight=None):
        """x @ W for a torch Linear weight [out, in] (or an explicit [in, out] weight), plus its bias if it has one."""
        w = weight if weight is not None else self.weights[parameter + ".weight"].T
        w = np.ascontiguousarray(w, dtype=np.float32)
        if self.matmul == "float32":
            y = self.node("MatMul", [x, self.constant(parameter + ".weight", w)], name)
        else:
            packed, scales, zeros, dequantized = quantize_int4(w, BLOCK_SIZE)
            if self.matmul == "int4-dequantized":
                y = self.node("MatMul", [x, self.constant(parameter + ".weight", dequantized)], name)
            else:
                k, n = w.shape
                y = self.node("MatMulNBits", [x, self.constant(parameter + ".weight.quant", packed),
                                              self.constant(parameter + ".weight.scales", scales),
                                              self.constant(parameter + ".weight.zero_points", zeros)],
                              name, domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK_SIZE,
                              accuracy_level=self.accuracy_level)
        bias = self.weights.get(parameter + ".bias")
        if bias is not None:
            y = self.node("Add", [y, self.constant(parameter + ".bias", bias)], name + "/bias")
        return y

    def rms_norm(self, x, parameter, eps, name):
        return self.node("SimplifiedLayerNormalization", [x, self.constant(parameter, self.weights[parameter])], name,
                         axis=-1, epsilon=eps, stash_type=1)


def build_graph(decoder, matmul, accuracy_level=4):
    """The genai-layout ModelProto of the decoder; matmul picks float32 weights, int4 MatMulNBits, or float32 MatMuls
    with exactly the int4 weights dequantized (the copy the int4 model is compared with)."""
    config = decoder.config
    weights = {name: t.detach().numpy().astype(np.float32) for name, t in decoder.state_dict().items()}
    layers, heads, kv_heads = config["num_hidden_layers"], config["num_attention_heads"], config["num_key_value_heads"]
    head_size, eps, context = config["head_dim"], config["rms_norm_eps"], config["max_position_embeddings"]
    g = GraphWriter(weights, matmul, accuracy_level)

    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch_size", "sequence_length", config["vocab_size"]])]
    for i in range(layers):
        for kind in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kind}", TensorProto.FLOAT,
                                                        ["batch_size", kv_heads, "past_sequence_length", head_size]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{kind}", TensorProto.FLOAT,
                                                         ["batch_size", kv_heads, "total_sequence_length", head_size]))

    # GroupQueryAttention's view of the mask: each row's last index, and the width of the whole sequence.
    total = g.node("ReduceSum", ["attention_mask", g.constant("/model/attn_mask_reformat/axes", np.array([1], np.int64))],
                   "/model/attn_mask_reformat/ReduceSum", keepdims=0)
    last = g.node("Sub", [total, g.constant("/model/attn_mask_reformat/one", np.array(1, np.int64))],
                  "/model/attn_mask_reformat/Sub")
    seqlens_k = g.node("Cast", [last], "/model/attn_mask_reformat/seqlens_k", to=TensorProto.INT32)
    shape = g.node("Shape", ["attention_mask"], "/model/attn_mask_reformat/Shape")
    width = g.node("Gather", [shape, g.constant("/model/attn_mask_reformat/index", np.array(1, np.int64))],
                   "/model/attn_mask_reformat/Gather", axis=0)
    total_sequence_length = g.node("Cast", [width], "/model/attn_mask_reformat/total_seq_len", to=TensorProto.INT32)

    positions = np.arange(context, dtype=np.float32)[:, None] * decoder.inv_freq.numpy()[None, :]
    cos_cache = g.constant("cos_cache", np.cos(positions).astype(np.float32))
    sin_cache = g.constant("sin_cache", np.sin(positions).astype(np.float32))

    x = g.node("Gather", [g.constant("model.embed_tokens.weight", weights["embed_tokens.weight"]), "input_ids"],
               "/model/embed_tokens/Gather", axis=0)
    for i in range(layers):
        p, n = f"layers.{i}", f"/model/layers.{i}"
        h = g.rms_norm(x, f"{p}.input_layernorm.weight", eps, f"{n}/input_layernorm/SimplifiedLayerNorm")
        q = g.linear(h, f"{p}.self_attn.q_proj", f"{n}/attn/q_proj/MatMul")
        k = g.linear(h, f"{p}.self_attn.k_proj", f"{n}/attn/k_proj/MatMul")
        v = g.linear(h, f"{p}.self_attn.v_proj", f"{n}/attn/v_proj/MatMul")
        name = f"{n}/attn/GroupQueryAttention"
        g.nodes.append(helper.make_node(
            "GroupQueryAttention",
            [q, k, v, f"past_key_values.{i}.key", f"past_key_values.{i}.value", seqlens_k, total_sequence_length,
             cos_cache, sin_cache],
            [name + "/output_0", f"present.{i}.key", f"present.{i}.value"], name=name, domain="com.microsoft",
            num_heads=heads, kv_num_heads=kv_heads, scale=float(head_size ** -0.5), do_rotary=1, rotary_interleaved=0,
            local_window_size=-1))
        o = g.linear(name + "/output_0", f"{p}.self_attn.o_proj", f"{n}/attn/o_proj/MatMul")
        x = g.node("Add", [x, o], f"{n}/attn/residual/Add")
        h = g.rms_norm(x, f"{p}.post_attention_layernorm.weight", eps, f"{n}/post_attention_layernorm/SimplifiedLayerNorm")
        gate = g.linear(h, f"{p}.mlp.gate_proj", f"{n}/mlp/gate_proj/MatMul")
        up = g.linear(h, f"{p}.mlp.up_proj", f"{n}/mlp/up_proj/MatMul")
        silu = g.node("Mul", [gate, g.node("Sigmoid", [gate], f"{n}/mlp/act_fn/Sigmoid")], f"{n}/mlp/act_fn/Mul")
        down = g.linear(g.node("Mul", [silu, up], f"{n}/mlp/Mul"), f"{p}.mlp.down_proj", f"{n}/mlp/down_proj/MatMul")
        x = g.node("Add", [x, down], f"{n}/mlp/residual/Add")
    h = g.rms_norm(x, "norm.weight", eps, "/model/norm/SimplifiedLayerNorm")
    # Tied embeddings: lm_head is the embedding transposed, written (and quantized) as its own weight, as the
    # onnxruntime-genai builder writes it.
    logits = g.linear(h, "lm_head", "/lm_head/MatMul", weight=weights["embed_tokens.weight"].T)
    g.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="/lm_head/Identity"))

    graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, g.initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
                              producer_name="mlstack-model-builder")
    model.ir_version = 8
    return model


def save(model, folder):
    """model.onnx with every weight of 1 KiB or more in model.onnx.data beside it (the genai builder's naming)."""
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.onnx.data").unlink(missing_ok=True)
    onnx.save_model(model, str(folder / "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="model.onnx.data", size_threshold=1024)
    return [folder / "model.onnx", folder / "model.onnx.data"]


def write_config(folder, config, generation):
    """genai_config.json with the fields and names onnxruntime-genai's builder writes (model.decoder.inputs/outputs
    name the graph's tensors; search holds the generation defaults and past_present_share_buffer)."""
    eos = generation["eos_token_id"]
    search = {
        "diversity_penalty": 0.0, "do_sample": generation.get("do_sample", False), "early_stopping": True,
        "length_penalty": 1.0, "max_length": config["max_position_embeddings"], "min_length": 0,
        "no_repeat_ngram_size": 0, "num_beams": 1, "num_return_sequences": 1, "past_present_share_buffer": True,
        "repetition_penalty": generation.get("repetition_penalty", 1.0), "temperature": generation.get("temperature", 1.0),
        "top_k": generation.get("top_k", 1), "top_p": generation.get("top_p", 1.0),
    }
    genai = {
        "model": {
            "bos_token_id": config["bos_token_id"], "context_length": config["max_position_embeddings"],
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx", "head_size": config["head_dim"], "hidden_size": config["hidden_size"],
                "inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask",
                           "past_key_names": "past_key_values.%d.key", "past_value_names": "past_key_values.%d.value"},
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
                "num_attention_heads": config["num_attention_heads"], "num_hidden_layers": config["num_hidden_layers"],
                "num_key_value_heads": config["num_key_value_heads"],
            },
            "eos_token_id": eos if isinstance(eos, list) else [eos], "pad_token_id": generation["pad_token_id"],
            "type": config["model_type"], "vocab_size": config["vocab_size"],
        },
        "search": search,
    }
    (pathlib.Path(folder) / "genai_config.json").write_text(json.dumps(genai, indent=4) + "\n", encoding="utf-8")
