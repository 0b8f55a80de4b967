# Builds models/tiny-tensor/1/model.onnx: SUM = INPUT0 + INPUT1 and PRODUCT = INPUT0 * INPUT1, FP32 [batch, 4].
# Run with /usr/bin/python3 (Debian python3-onnx); the output is committed so tests need no Python to load it.
import onnx
from onnx import TensorProto, helper

inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 4]) for n in ("INPUT0", "INPUT1")]
outputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["batch", 4]) for n in ("SUM", "PRODUCT")]
graph = helper.make_graph(
    [helper.make_node("Add", ["INPUT0", "INPUT1"], ["SUM"]), helper.make_node("Mul", ["INPUT0", "INPUT1"], ["PRODUCT"])],
    "tiny_tensor", inputs, outputs)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="mlstack-tests")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, "models/tiny-tensor/1/model.onnx")
