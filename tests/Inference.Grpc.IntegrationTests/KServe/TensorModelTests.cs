using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.KServe;

/// <summary>Generic ModelInfer on the tiny FP32 test model (SUM = a + b, PRODUCT = a * b, shape [batch, 4]).</summary>
[Collection(ServerCollection.Name)]
public sealed class TensorModelTests(InferenceServer server)
{
    internal static ModelInferRequest FloatRequest(int rows, float[] a, float[] b, bool raw = true)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.TinyTensor, Id = "req-" + rows };
        foreach (var (name, values) in new[] { ("INPUT0", a), ("INPUT1", b) })
        {
            var input = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP32", Shape = { rows, 4 } };
            if (raw) request.RawInputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())));
            else input.Contents = new InferTensorContents { Fp32Contents = { values } };
            request.Inputs.Add(input);
        }
        return request;
    }

    internal static float[] Floats(ByteString bytes) => MemoryMarshal.Cast<byte, float>(bytes.Span).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Fp32_typed_and_raw_contents_give_the_right_outputs(bool raw)
    {
        float[] a = [1, 2, 3, 4, 5, 6, 7, 8];
        float[] b = [0.5f, -1, 10, 0, 2, 2, 2, 2];

        var response = await server.Inference.ModelInferAsync(FloatRequest(2, a, b, raw));

        Assert.Equal(InferenceServer.TinyTensor, response.ModelName);
        Assert.Equal("1", response.ModelVersion);
        Assert.Equal("req-2", response.Id);
        Assert.Equal(["SUM", "PRODUCT"], response.Outputs.Select(o => o.Name));
        Assert.All(response.Outputs, o => Assert.Equal("FP32", o.Datatype));
        Assert.Equal([1.5f, 1, 13, 4, 7, 8, 9, 10], Floats(response.RawOutputContents[0]));
        Assert.Equal([0.5f, -2, 30, 0, 10, 12, 14, 16], Floats(response.RawOutputContents[1]));
    }

    [Fact]
    public async Task Only_the_requested_outputs_come_back()
    {
        var request = FloatRequest(1, [1, 2, 3, 4], [1, 1, 1, 1]);
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "PRODUCT" });

        var response = await server.Inference.ModelInferAsync(request);

        Assert.Equal("PRODUCT", Assert.Single(response.Outputs).Name);
        Assert.Equal([1f, 2, 3, 4], Floats(Assert.Single(response.RawOutputContents)));
    }

    [Fact]
    public async Task Metadata_describes_tensors_with_a_variable_batch_dimension_and_the_provider()
    {
        var metadata = await server.Inference.ModelMetadataAsync(new ModelMetadataRequest { Name = InferenceServer.TinyTensor });

        Assert.Equal("onnxruntime_onnx", metadata.Platform);
        Assert.Equal(["1"], metadata.Versions);
        Assert.Equal(["INPUT0", "INPUT1"], metadata.Inputs.Select(i => i.Name));
        Assert.All(metadata.Inputs.Concat(metadata.Outputs), t =>
        {
            Assert.Equal("FP32", t.Datatype);
            Assert.Equal([-1L, 4L], t.Shape);
        });
        var provider = metadata.Parameters["execution_provider"].StringParam;
        Assert.Equal(File.Exists("/dev/nvidia0") ? "cuda" : "cpu", provider);
        Assert.Equal(8, metadata.Parameters["max_batch_size"].Int64Param);

        var server_ = await server.Inference.ServerMetadataAsync(new ServerMetadataRequest());
        Assert.Equal("mlstack", server_.Name);
        Assert.Contains("execution_provider=" + provider, server_.Extensions);
        Assert.Contains("model_repository", server_.Extensions);
    }

    [Fact]
    public async Task The_embedding_model_also_answers_generic_model_infer()
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.MiniLm };
        foreach (var (name, values) in new[] { ("input_ids", new long[] { 101, 7592, 2088, 102 }), ("attention_mask", [1, 1, 1, 1]), ("token_type_ids", [0, 0, 0, 0]) })
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT64", Shape = { 1, 4 }, Contents = new() { Int64Contents = { values } } });
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "last_hidden_state" });

        var response = await server.Inference.ModelInferAsync(request);

        Assert.Equal([1L, 4, 384], Assert.Single(response.Outputs).Shape);
        Assert.Equal(4 * 384 * 4, response.RawOutputContents[0].Length);
    }

    [Fact]
    public async Task Live_and_ready_rpcs_answer()
    {
        Assert.True((await server.Inference.ServerLiveAsync(new ServerLiveRequest())).Live);
        Assert.True((await server.Inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.True((await server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = InferenceServer.TinyTensor, Version = "1" })).Ready);
        var missing = await Assert.ThrowsAsync<RpcException>(() => server.Inference.ModelReadyAsync(new ModelReadyRequest { Name = "nope" }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }
}
