"""Graph rewrites on ONNX models with onnx helpers and NumPy only: float16 conversion, dynamic int8 quantization
(MatMulInteger), and the 4-bit block quantization MatMulNBits reads.

Written here because onnxruntime's Python package (its quantizer, onnxconverter-common's float16 converter) is not
packaged by Debian (`apt-cache policy python3-onnxruntime`: no candidate); the rewrites follow what those tools emit.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FP16_MIN, FP16_MAX = float(np.finfo(np.float16).min), float(np.finfo(np.float16).max)


def to_float16(model):
    """Every float tensor of the graph (initializers, constants, casts, inputs, outputs) becomes float16, as Optimum's
    fp16 exports are: past/present and logits are float16 too. Constants are clamped to float16's range so the mask
    fill value (float32's lowest) stays finite and a fully masked padding row gives a uniform softmax, not NaN."""
    _graph_to_float16(model.graph)
    return model


def _half(array):
    return np.clip(array, FP16_MIN, FP16_MAX).astype(np.float16)


def _graph_to_float16(graph):
    for i, tensor in enumerate(graph.initializer):
        if tensor.data_type == TensorProto.FLOAT:
            graph.initializer[i].CopyFrom(numpy_helper.from_array(_half(numpy_helper.to_array(tensor)), tensor.name))
    for value in list(graph.input) + list(graph.output):
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            value.type.tensor_type.elem_type = TensorProto.FLOAT16
    del graph.value_info[:]
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.type == onnx.AttributeProto.TENSOR and attribute.t.data_type == TensorProto.FLOAT:
                attribute.t.CopyFrom(numpy_helper.from_array(_half(numpy_helper.to_array(attribute.t)), attribute.t.name))
            elif attribute.type == onnx.AttributeProto.GRAPH:
                _graph_to_float16(attribute.g)
            elif node.op_type == "Cast" and attribute.name == "to" and attribute.i == TensorProto.FLOAT:
                attribute.i = TensorProto.FLOAT16


def quantize_int8(model):
    """Dynamic quantization of every MatMul whose weight is a 2-D float initializer, as onnxruntime's quantize_dynamic
    writes it: DynamicQuantizeLinear(A) -> MatMulInteger(A_u8, W_i8, A_zero, 0) -> Cast -> Mul(A_scale * W_scale).
    Weights are symmetric int8 per output column (zero point 0); activations uint8 per tensor, at run time."""
    graph = model.graph
    initializers = {t.name: t for t in graph.initializer}
    replaced, quantized = [], set()
    for node in graph.node:
        weight = initializers.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2 or weight.data_type != TensorProto.FLOAT:
            replaced.append(node)
            continue
        w = weight.name
        if w not in quantized:
            array = numpy_helper.to_array(weight)
            scale = np.maximum(np.abs(array).max(axis=0), 1e-12) / 127.0
            graph.initializer.extend([
                numpy_helper.from_array(np.clip(np.round(array / scale), -127, 127).astype(np.int8), w + "_quantized"),
                numpy_helper.from_array(scale.astype(np.float32), w + "_scale"),
                numpy_helper.from_array(np.array(0, dtype=np.int8), w + "_zero_point"),
            ])
            quantized.add(w)
        a, out, p = node.input[0], node.output[0], (node.name or out) + "_int8"
        replaced += [
            helper.make_node("DynamicQuantizeLinear", [a], [p + "/a", p + "/a_scale", p + "/a_zero"]),
            helper.make_node("MatMulInteger", [p + "/a", w + "_quantized", p + "/a_zero", w + "_zero_point"], [p + "/int32"]),
            helper.make_node("Cast", [p + "/int32"], [p + "/float"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [p + "/a_scale", w + "_scale"], [p + "/scale"]),
            helper.make_node("Mul", [p + "/float", p + "/scale"], [out]),
        ]
    del graph.node[:]
    graph.node.extend(replaced)
    unused = [t for t in graph.initializer if t.name in quantized]
    for t in unused:
        graph.initializer.remove(t)
    del graph.value_info[:]
    return model


def quantize_int4(weight, block_size=32):
    """4-bit asymmetric block quantization of a [K, N] weight (y = x @ W) in MatMulNBits' layout: each output column's
    K values in blocks of block_size with a float scale and a 4-bit zero point per block.

    Returns (packed [N, blocks, block_size / 2] uint8, with element 2i in the low nibble and 2i+1 in the high one;
    scales [N * blocks] float32; zero points [N * ceil(blocks / 2)] uint8 packed the same way; the dequantized [K, N]
    float32 weight, exactly what MatMulNBits computes with)."""
    k, n = weight.shape
    blocks = -(-k // block_size)
    padded = np.zeros((blocks * block_size, n), dtype=np.float32)
    padded[:k] = weight
    columns = padded.T.reshape(n, blocks, block_size)
    low = np.minimum(columns.min(axis=2), 0.0)
    high = np.maximum(columns.max(axis=2), 0.0)
    scale = (high - low) / 15.0
    scale[scale == 0] = 1.0
    zero = np.clip(np.round(-low / scale), 0, 15).astype(np.uint8)
    q = np.clip(np.round(columns / scale[:, :, None]) + zero[:, :, None], 0, 15).astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    zero_padded = np.zeros((n, blocks + blocks % 2), dtype=np.uint8)
    zero_padded[:, :blocks] = zero
    zero_packed = (zero_padded[:, 0::2] | (zero_padded[:, 1::2] << 4)).astype(np.uint8)
    dequantized = ((q.astype(np.float32) - zero[:, :, None]) * scale[:, :, None]).reshape(n, -1)[:, :k].T
    return packed, scale.astype(np.float32).reshape(-1), zero_packed.reshape(-1), np.ascontiguousarray(dequantized)
