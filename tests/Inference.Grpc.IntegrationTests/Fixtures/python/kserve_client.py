"""A KServe v2 client in Python, generated with grpc_tools from MlStack's own grpc_service.proto.

Usage: kserve_client.py <generated-stubs-dir> <host:port> <api-key>
Calls ServerLive without the key (the refusal's status), then ServerLive, ModelMetadata and ModelInfer (raw FP32)
on the tiny tensor model with it ("authorization: Bearer"), and prints one JSON object.
"""
import json
import struct
import sys

sys.path.insert(0, sys.argv[1])
import grpc  # noqa: E402
import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as rpc  # noqa: E402

channel = grpc.insecure_channel(sys.argv[2])
stub = rpc.GRPCInferenceServiceStub(channel)

key = [("authorization", "Bearer " + sys.argv[3])]
try:
    stub.ServerLive(pb.ServerLiveRequest(), timeout=30)
    without_key = "OK"
except grpc.RpcError as error:
    without_key = error.code().name

live = stub.ServerLive(pb.ServerLiveRequest(), timeout=30, metadata=key).live
metadata = stub.ModelMetadata(pb.ModelMetadataRequest(name="tiny-tensor"), timeout=30, metadata=key)

a = [1.0, 2.0, 3.0, 4.0]
b = [10.0, 20.0, 30.0, 40.0]
request = pb.ModelInferRequest(model_name="tiny-tensor", id="from-python")
for name in ("INPUT0", "INPUT1"):
    request.inputs.append(pb.ModelInferRequest.InferInputTensor(name=name, datatype="FP32", shape=[1, 4]))
request.raw_input_contents.append(struct.pack("<4f", *a))
request.raw_input_contents.append(struct.pack("<4f", *b))
response = stub.ModelInfer(request, timeout=30, metadata=key)

outputs = {}
for tensor, raw in zip(response.outputs, response.raw_output_contents):
    outputs[tensor.name] = {"shape": list(tensor.shape), "values": list(struct.unpack("<%df" % (len(raw) // 4), raw))}

print(json.dumps({
    "without_key": without_key,
    "live": live,
    "platform": metadata.platform,
    "inputs": [{"name": t.name, "datatype": t.datatype, "shape": list(t.shape)} for t in metadata.inputs],
    "id": response.id,
    "outputs": outputs,
}))
