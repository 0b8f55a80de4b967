using Google.Protobuf;
using System.Net.Http.Json;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.IntegrationTests.Serving;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;
using MlStack.Inference.V2;

namespace MlStack.Inference.IntegrationTests.KServe;

/// <summary>Every bad request gets a precise status naming what was wrong, and the server keeps serving.</summary>
[Collection(ServerCollection.Name)]
public sealed class BadInputTests(InferenceServer server)
{
    private static ModelInferRequest.Types.InferInputTensor Fp32(string name, long[] shape, int count) =>
        new() { Name = name, Datatype = "FP32", Shape = { shape }, Contents = new InferTensorContents { Fp32Contents = { new float[count] } } };

    private static ModelInferRequest Tiny(params ModelInferRequest.Types.InferInputTensor[] inputs)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.TinyTensor };
        request.Inputs.AddRange(inputs);
        return request;
    }

    private static ModelInferRequest Raw(int[] byteCounts, int inputs = 2)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.TinyTensor };
        for (var i = 0; i < inputs; i++)
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "INPUT" + i, Datatype = "FP32", Shape = { 1, 4 } });
        foreach (var count in byteCounts) request.RawInputContents.Add(ByteString.CopyFrom(new byte[count]));
        return request;
    }

    /// <summary>Case name, request, expected code, words the message must contain.</summary>
    public static TheoryData<string, ModelInferRequest, StatusCode, string> Cases => new()
    {
        { "unknown model", new ModelInferRequest { ModelName = "no-such-model" }, StatusCode.NotFound, "no-such-model" },
        { "unknown version", new ModelInferRequest { ModelName = InferenceServer.TinyTensor, ModelVersion = "7" }, StatusCode.NotFound, "Version '7'" },
        { "non-numeric version", new ModelInferRequest { ModelName = InferenceServer.TinyTensor, ModelVersion = "latest!" }, StatusCode.NotFound, "latest!" },
        { "path in model name", new ModelInferRequest { ModelName = "../models" }, StatusCode.NotFound, "../models" },
        { "wrong input name", Tiny(Fp32("INPUT0", [1, 4], 4), Fp32("WRONG", [1, 4], 4)), StatusCode.InvalidArgument, "Unexpected input 'WRONG'" },
        { "missing input", Tiny(Fp32("INPUT0", [1, 4], 4)), StatusCode.InvalidArgument, "'INPUT1' (FP32 [-1,4])" },
        { "duplicate input", Tiny(Fp32("INPUT0", [1, 4], 4), Fp32("INPUT0", [1, 4], 4)), StatusCode.InvalidArgument, "given twice" },
        { "wrong datatype", Tiny(Fp32("INPUT0", [1, 4], 4), new() { Name = "INPUT1", Datatype = "INT32", Shape = { 1, 4 }, Contents = new() { IntContents = { 1, 2, 3, 4 } } }),
            StatusCode.InvalidArgument, "'INPUT1' has datatype 'INT32', expected FP32" },
        { "unknown datatype", Tiny(Fp32("INPUT0", [1, 4], 4), new() { Name = "INPUT1", Datatype = "FLOAT", Shape = { 1, 4 } }), StatusCode.InvalidArgument, "expected FP32" },
        { "wrong rank", Tiny(Fp32("INPUT0", [4], 4), Fp32("INPUT1", [1, 4], 4)), StatusCode.InvalidArgument, "'INPUT0' has shape [4] (1 dimensions), expected [-1,4]" },
        { "wrong fixed dimension", Tiny(Fp32("INPUT0", [1, 5], 5), Fp32("INPUT1", [1, 5], 5)), StatusCode.InvalidArgument, "expected [-1,4]" },
        { "zero dimension", Tiny(Fp32("INPUT0", [0, 4], 0), Fp32("INPUT1", [0, 4], 0)), StatusCode.InvalidArgument, "at least 1" },
        { "negative dimension", Tiny(Fp32("INPUT0", [-1, 4], 4), Fp32("INPUT1", [1, 4], 4)), StatusCode.InvalidArgument, "at least 1" },
        { "batch above max_batch_size", Tiny(Fp32("INPUT0", [9, 4], 36), Fp32("INPUT1", [9, 4], 36)), StatusCode.InvalidArgument, "max_batch_size 8" },
        { "inputs disagree on batch", Tiny(Fp32("INPUT0", [1, 4], 4), Fp32("INPUT1", [2, 4], 8)), StatusCode.InvalidArgument, "batch size 2" },
        { "too few values", Tiny(Fp32("INPUT0", [1, 4], 3), Fp32("INPUT1", [1, 4], 4)), StatusCode.InvalidArgument, "'INPUT0' has 3 values in fp32_contents, expected 4" },
        { "too many values", Tiny(Fp32("INPUT0", [1, 4], 4), Fp32("INPUT1", [1, 4], 40)), StatusCode.InvalidArgument, "'INPUT1' has 40 values" },
        { "no data", Tiny(Fp32("INPUT0", [1, 4], 4), new() { Name = "INPUT1", Datatype = "FP32", Shape = { 1, 4 } }), StatusCode.InvalidArgument, "'INPUT1' has no data" },
        { "huge shape", Tiny(Fp32("INPUT0", [1, long.MaxValue], 4), Fp32("INPUT1", [1, 4], 4)), StatusCode.InvalidArgument, "INPUT0" },
        { "raw byte length short", Raw([16, 15]), StatusCode.InvalidArgument, "'INPUT1' has 15 bytes in raw_input_contents, expected 16" },
        { "raw byte length long", Raw([17, 16]), StatusCode.InvalidArgument, "'INPUT0' has 17 bytes" },
        { "raw entries fewer than inputs", Raw([16]), StatusCode.InvalidArgument, "raw_input_contents has 1 entries but the request has 2 inputs" },
        { "unknown output", WithOutput(Tiny(Fp32("INPUT0", [1, 4], 4), Fp32("INPUT1", [1, 4], 4)), "NOPE"), StatusCode.InvalidArgument, "Unknown output 'NOPE'" },
        { "FP16 in typed contents", new ModelInferRequest { ModelName = InferenceServer.MiniLm, Inputs = { new ModelInferRequest.Types.InferInputTensor { Name = "input_ids", Datatype = "FP16", Shape = { 1, 2 } } } },
            StatusCode.InvalidArgument, "expected INT64" },
        { "token id out of the vocabulary", MiniLmIds(999_999), StatusCode.InvalidArgument, "cannot run on this input" },
        { "declared shape larger than the raw bytes sent", RawDeclared([8, 4], 16), StatusCode.InvalidArgument, "'INPUT0' has 16 bytes in raw_input_contents, expected 128" },
        { "2 GB declared, 16 bytes sent", MiniLmRaw([1, 250_000_000], 16), StatusCode.InvalidArgument, "dimension 1 may be at most 256" },
        { "sequence length over the model's limit", MiniLmRaw([1, 257], 257 * 8), StatusCode.InvalidArgument, "dimension 1 may be at most 256" },
        { "rank far beyond the model's", Tiny(Fp32("INPUT0", [.. Enumerable.Repeat(1L, 1000)], 1), Fp32("INPUT1", [1, 4], 4)), StatusCode.InvalidArgument, "(1000 dimensions)" },
        { "unknown model with a 10 kB name", new ModelInferRequest { ModelName = new string('m', 10_000) }, StatusCode.NotFound, "mmm..." },
    };

    private static ModelInferRequest RawDeclared(long[] shape, int bytes)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.TinyTensor };
        foreach (var name in new[] { "INPUT0", "INPUT1" })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "FP32", Shape = { shape } });
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[bytes]));
        }
        return request;
    }

    private static ModelInferRequest MiniLmRaw(long[] shape, int bytes)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.MiniLm };
        foreach (var name in new[] { "input_ids", "attention_mask", "token_type_ids" })
        {
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT64", Shape = { shape } });
            request.RawInputContents.Add(ByteString.CopyFrom(new byte[bytes]));
        }
        return request;
    }

    private static ModelInferRequest WithOutput(ModelInferRequest request, string output)
    {
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = output });
        return request;
    }

    private static ModelInferRequest MiniLmIds(long id)
    {
        var request = new ModelInferRequest { ModelName = InferenceServer.MiniLm };
        foreach (var (name, values) in new[] { ("input_ids", new long[] { 101, id, 102 }), ("attention_mask", [1, 1, 1]), ("token_type_ids", [0, 0, 0]) })
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = "INT64", Shape = { 1, 3 }, Contents = new() { Int64Contents = { values } } });
        return request;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_model_infer_requests_get_precise_statuses(string @case, ModelInferRequest request, StatusCode expected, string message)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => server.Inference.ModelInferAsync(request).ResponseAsync);

        Assert.True(expected == error.StatusCode, $"{@case}: expected {expected}, got {error.StatusCode} ({error.Status.Detail})");
        Assert.Contains(message, error.Status.Detail);
        Assert.True(error.Status.Detail.Length < 1000, $"{@case}: the message repeats too much of the request ({error.Status.Detail.Length} characters)");
        // Refused before anything was rented: no bytes stay reserved.
        Assert.Equal(0, server.Services.GetRequiredService<RequestMemoryBudget>().InFlight);
        await server.AssertServingAsync();
    }

    public static TheoryData<string, EmbedRequest, StatusCode> EmbedCases => new()
    {
        { "unknown model", new EmbedRequest { Model = "no-such-model", Texts = { "x" } }, StatusCode.NotFound },
        { "unknown version", new EmbedRequest { Version = "9", Texts = { "x" } }, StatusCode.NotFound },
        { "no texts", new EmbedRequest(), StatusCode.InvalidArgument },
        { "not an embedding model", new EmbedRequest { Model = InferenceServer.TinyTensor, Texts = { "x" } }, StatusCode.InvalidArgument },
        { "more texts than one call takes", new EmbedRequest { Texts = { Enumerable.Repeat("word", 50_000) } }, StatusCode.InvalidArgument },
    };

    [Theory]
    [MemberData(nameof(EmbedCases))]
    public async Task Bad_embed_requests_get_precise_statuses(string @case, EmbedRequest request, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => server.Embeddings.EmbedAsync(request).ResponseAsync);

        Assert.True(expected == error.StatusCode, $"{@case}: expected {expected}, got {error.StatusCode} ({error.Status.Detail})");
        await server.AssertServingAsync();
    }

    /// <summary>The HTTP doors embed through the same entry point, so they get the same limit on texts per call, as a 400.</summary>
    [Theory]
    [InlineData("/v1/embeddings", "input")]
    [InlineData("/invocations", "inputs")]
    [InlineData("/vertex/predict", "instances")]
    public async Task More_texts_than_one_call_takes_are_400_on_every_http_door(string path, string field)
    {
        // Vertex AI instances name their text (plain strings there are prompts).
        var texts = new System.Text.Json.Nodes.JsonArray([.. Enumerable.Range(0, 5_000).Select(_ => field == "instances"
            ? new System.Text.Json.Nodes.JsonObject { ["text"] = "word" }
            : (System.Text.Json.Nodes.JsonNode?)"word")]);

        using var response = await server.Http.PostAsJsonAsync(path, new System.Text.Json.Nodes.JsonObject { [field] = texts });

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ModelRepository:MaxEmbedTexts", await response.Content.ReadAsStringAsync());
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task A_message_over_the_configured_limit_is_refused()
    {
        var floats = InferenceServer.MaxReceiveMessageSize / 4 + 1024;
        var request = new ModelInferRequest { ModelName = InferenceServer.TinyTensor };
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[floats * 4]));

        var error = await Assert.ThrowsAsync<RpcException>(() => server.Inference.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        await server.AssertServingAsync();
    }

    [Fact]
    public async Task Texts_in_one_request_beyond_the_max_batch_size_are_all_embedded()
    {
        var texts = Enumerable.Range(0, 150).Select(i => $"sentence number {i}").ToArray();

        var response = await server.Embeddings.EmbedAsync(new EmbedRequest { Texts = { texts } });

        Assert.Equal(150, response.Embeddings.Count);
    }

    [Fact]
    public async Task An_expired_deadline_is_reported_and_the_request_never_runs()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => server.Embeddings.EmbedAsync(
            new EmbedRequest { Texts = { "too late" } }, deadline: DateTime.UtcNow.AddMilliseconds(-1)).ResponseAsync);

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        await server.AssertServingAsync();
    }
}
