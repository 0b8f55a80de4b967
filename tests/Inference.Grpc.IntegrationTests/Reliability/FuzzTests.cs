using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;
using MlStack.Inference.V2;
using Xunit.Abstractions;

namespace MlStack.Inference.IntegrationTests.Reliability;

/// <summary>
/// Seeded random and mutated requests, a few thousand per service (or as many as its time slice allows; about 80 s
/// for all of them): every answer is a status that tells the caller something (never INTERNAL or UNKNOWN), every HTTP
/// answer is below 500 (503 allowed: readiness and admission), and the server answers a valid request afterwards.
/// Strings include control characters, special tokens, paths and 20,000-character runs; numbers include NaN,
/// infinities, zero, negatives and extremes; shapes lie about the data sent.
/// </summary>
public sealed class FuzzTests(GenerationHost host, ITestOutputHelper output) : IClassFixture<GenerationHost>
{
    private const int Seed = 20261201;
    private const int Workers = 6;
    private const int RequestsPerService = 3_000;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(16);
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(5);
    private static readonly StatusCode[] Unhelpful = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss];
    private static readonly string[] LoadedModels = [GenerationHost.MiniLm, "tiny-gpt", "tiny-llama"];

    /// <summary>Runs the calls from several workers until the count or the time slice is reached; returns what broke the rules.</summary>
    private async Task RunAsync(string service, Func<Random, Task<string?>> call)
    {
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(Seed + worker * 7919 + service.Length);
            while (clock.Elapsed < Slice && Interlocked.Increment(ref sent) <= RequestsPerService)
            {
                if (await call(random) is { } failure) failures.Enqueue(failure);
            }
        })));
        output.WriteLine($"{service}: {Math.Min(sent, RequestsPerService)} requests in {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} unhelpful answers");
        Assert.True(failures.IsEmpty, $"{service}: {failures.Count} unhelpful answers, e.g.\n{string.Join("\n", failures.Take(5))}");
        await AssertServingAsync();
    }

    private async Task AssertServingAsync()
    {
        var embedding = await host.Embeddings.EmbedAsync(new EmbedRequest { Texts = { "still serving" } });
        Assert.Equal(384, embedding.Embeddings[0].Values.Count);
        var (_, tokens, _) = await host.TextGeneration.Generate(new GenerateRequest
        {
            Prompt = "The dog",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 4 },
        }).CollectAsync();
        Assert.Equal(4, tokens.Count);
    }

    /// <summary>Null when the call answered with a status that tells the caller something; else what went wrong.</summary>
    private static async Task<string?> GrpcAsync(string what, Func<CallOptions, Task> call)
    {
        try
        {
            await call(new CallOptions(deadline: DateTime.UtcNow + CallDeadline));
            return null;
        }
        catch (RpcException error) when (!Unhelpful.Contains(error.StatusCode))
        {
            return null;
        }
        catch (RpcException error)
        {
            return $"{what} -> {error.StatusCode}: {Cut(error.Status.Detail)}";
        }
    }

    [Fact]
    public Task Embed_answers_every_random_request_helpfully() => RunAsync("Embed", random =>
    {
        var request = new EmbedRequest { Model = Pick(random, ["", GenerationHost.MiniLm, "tiny-gpt", Text(random)]), Normalize = random.Next(2) == 0 };
        if (random.Next(4) == 0) request.Version = Pick(random, ["1", "2", "0", "-1", Text(random)]);
        // Valid calls run the model; most texts are short so that a few thousand calls fit in the time slice.
        var count = Pick(random, [0, 1, 1, 2, 5, 1025, 3000]);
        for (var i = 0; i < count; i++) request.Texts.Add(count > 5 ? "w" : Text(random));
        return GrpcAsync($"Embed({Describe(request)})", options => host.Embeddings.EmbedAsync(request, options).ResponseAsync);
    });

    [Fact]
    public Task Generate_and_chat_answer_every_random_request_helpfully() => RunAsync("Generate/Chat", random =>
    {
        var parameters = Parameters(random);
        var model = Pick(random, ["", "tiny-gpt", "tiny-llama", GenerationHost.MiniLm, Text(random)]);
        var version = random.Next(4) == 0 ? Pick(random, ["1", "2", Text(random)]) : "";
        if (random.Next(2) == 0)
        {
            var request = new GenerateRequest { Model = model, ModelVersion = version, Prompt = Text(random), Parameters = parameters, ConversationKey = Text(random) };
            return GrpcAsync($"Generate({Describe(request)})", async options =>
            {
                using var call = host.TextGeneration.Generate(request, options);
                await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
            });
        }
        var chat = new ChatRequest { Model = model, ModelVersion = version, Parameters = parameters };
        var turns = Pick(random, [0, 1, 2, 5]);
        for (var i = 0; i < turns; i++)
            chat.Messages.Add(new ChatMessage { Role = Pick(random, ["user", "system", "assistant", "tool", Text(random)]), Content = Text(random) });
        return GrpcAsync($"Chat({Describe(chat)})", async options =>
        {
            using var call = host.TextGeneration.Chat(chat, options);
            await foreach (var _ in call.ResponseStream.ReadAllAsync()) { }
        });
    });

    [Fact]
    public Task Model_infer_and_metadata_answer_every_random_request_helpfully() => RunAsync("ModelInfer/metadata", random =>
    {
        switch (random.Next(6))
        {
            case 0:
                var metadata = new ModelMetadataRequest { Name = Pick(random, [.. LoadedModels, Text(random)]), Version = Pick(random, ["", "1", Text(random)]) };
                return GrpcAsync($"ModelMetadata({Describe(metadata)})", options => host.Inference.ModelMetadataAsync(metadata, options).ResponseAsync);
            case 1:
                var ready = new ModelReadyRequest { Name = Pick(random, [.. LoadedModels, Text(random)]), Version = Pick(random, ["", "1", Text(random)]) };
                return GrpcAsync($"ModelReady({Describe(ready)})", async options =>
                {
                    await host.Inference.ModelReadyAsync(ready, options);
                    await host.Inference.ServerMetadataAsync(new ServerMetadataRequest(), options);
                    await host.Inference.ServerReadyAsync(new ServerReadyRequest(), options);
                });
            default:
                var infer = InferRequest(random);
                return GrpcAsync($"ModelInfer({Describe(infer)})", options => host.Inference.ModelInferAsync(infer, options).ResponseAsync);
        }
    });

    /// <summary>With the admin key; names are never those of the loaded models, which the other tests need.</summary>
    [Fact]
    public async Task Repository_calls_answer_every_random_request_helpfully()
    {
        using var adminChannel = host.OpenChannel(host.AdminKey);
        var admin = new GRPCInferenceService.GRPCInferenceServiceClient(adminChannel);
        await RunAsync("Repository", random =>
        {
            var name = Text(random);
            if (LoadedModels.Contains(name)) name += "-other";
            var repository = Pick(random, ["", "models", "default", Text(random)]);
            switch (random.Next(3))
            {
                case 0:
                    var index = new RepositoryIndexRequest { RepositoryName = repository, Ready = random.Next(2) == 0 };
                    return GrpcAsync($"RepositoryIndex({Describe(index)})", options => admin.RepositoryIndexAsync(index, options).ResponseAsync);
                case 1:
                    var unload = new RepositoryModelUnloadRequest { RepositoryName = repository, ModelName = name };
                    return GrpcAsync($"RepositoryModelUnload({Describe(unload)})", options => admin.RepositoryModelUnloadAsync(unload, options).ResponseAsync);
                default:
                    var load = new RepositoryModelLoadRequest { RepositoryName = repository, ModelName = name };
                    if (random.Next(2) == 0)
                        load.Parameters[Pick(random, ["config", Text(random)])] = random.Next(2) == 0
                            ? new ModelRepositoryParameter { StringParam = Pick(random, ["{}", "{\"task\":\"tensor\"}", "{\"max_batch_size\":-1}", "[", Text(random)]) }
                            : new ModelRepositoryParameter { Int64Param = random.NextInt64() };
                    return GrpcAsync($"RepositoryModelLoad({Describe(load)})", options => admin.RepositoryModelLoadAsync(load, options).ResponseAsync);
            }
        });
    }

    [Fact]
    public async Task Http_routes_answer_every_random_request_without_a_server_error()
    {
        using var http = new HttpClient { BaseAddress = host.Http.BaseAddress, Timeout = CallDeadline };
        await RunAsync("HTTP", async random =>
        {
            using var request = new HttpRequestMessage(
                Pick(random, [HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Head, HttpMethod.Options, HttpMethod.Patch]),
                Pick(random, ["/health", "/alive", "/metrics", "/ping", "/v1/models", "/v1/embeddings", "/v1/chat/completions", "/invocations",
                    "/v2/models/tiny-gpt/infer", "/" + Uri.EscapeDataString(Text(random)), "/%00", "/..%2f..%2fetc%2fpasswd", "/" + new string('p', 4000)]));
            switch (random.Next(3))
            {
                case 0: request.Headers.TryAddWithoutValidation("authorization", "Bearer " + host.ApiKey); break;
                case 1: request.Headers.TryAddWithoutValidation("x-api-key", Ascii(random)); break;
            }
            if (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head && random.Next(2) == 0)
                request.Content = new StringContent(Pick(random, ["{}", "[", "{\"input\":[1,2]}", Text(random)]), Encoding.UTF8, Pick(random, ["application/json", "text/plain", "application/grpc"]));
            try
            {
                using var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                return status >= 500 && response.StatusCode != HttpStatusCode.ServiceUnavailable ? $"{request.Method} {Cut(request.RequestUri!.ToString())} -> {status}" : null;
            }
            catch (HttpRequestException error)
            {
                return $"{request.Method} {Cut(request.RequestUri!.ToString())} -> {error.Message}";
            }
        });
    }

    private static ModelInferRequest InferRequest(Random random)
    {
        var request = new ModelInferRequest { ModelName = Pick(random, [GenerationHost.MiniLm, GenerationHost.MiniLm, "tiny-gpt", Text(random)]), Id = Text(random) };
        string[] names = ["input_ids", "attention_mask", "token_type_ids"];
        var valid = random.Next(3) == 0;
        var inputs = valid ? 3 : random.Next(5);
        var raw = random.Next(2) == 0;
        for (var i = 0; i < inputs; i++)
        {
            long[] shape = valid
                ? [random.Next(1, 4), random.Next(1, 16)]
                : [.. Enumerable.Range(0, random.Next(5)).Select(_ => Pick(random, [-1L, 0, 1, 2, 3, 512, 513, 250_000_000, long.MaxValue, long.MinValue]))];
            var tensor = new ModelInferRequest.Types.InferInputTensor
            {
                Name = valid ? names[i] : Pick(random, [.. names, Text(random)]),
                Datatype = valid ? "INT64" : Pick(random, ["INT64", "FP32", "FP16", "BYTES", "BOOL", "UINT8", Text(random)]),
                Shape = { shape },
            };
            var elements = valid ? shape[0] * shape[1] : random.Next(0, 64);
            if (raw)
            {
                var bytes = new byte[valid && random.Next(2) == 0 ? elements * 8 : random.Next(0, 4096)];
                random.NextBytes(bytes);
                if (valid) for (var b = 0; b + 8 <= bytes.Length; b += 8) BitConverter.TryWriteBytes(bytes.AsSpan(b), (long)random.Next(-5, 40_000));
                request.RawInputContents.Add(ByteString.CopyFrom(bytes));
            }
            else
            {
                tensor.Contents = new InferTensorContents();
                for (var e = 0; e < elements; e++) tensor.Contents.Int64Contents.Add(Pick(random, [0L, 101, 102, 2000, 30_521, 30_522, -1, long.MaxValue]));
                if (random.Next(4) == 0) tensor.Contents.Fp32Contents.Add(float.NaN);
            }
            request.Inputs.Add(tensor);
        }
        if (random.Next(4) == 0) request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = Pick(random, ["last_hidden_state", Text(random)]) });
        return request;
    }

    private static GenerationParameters? Parameters(Random random)
    {
        if (random.Next(5) == 0) return null;
        var p = new GenerationParameters { MaxNewTokens = Pick(random, [1, 2, 4, 0, -1, 1_000_000, int.MaxValue, int.MinValue]) };
        if (random.Next(2) == 0) p.Temperature = Number(random);
        if (random.Next(2) == 0) p.TopP = Number(random);
        if (random.Next(2) == 0) p.TopK = Pick(random, [0, 1, 5, -1, int.MaxValue]);
        if (random.Next(2) == 0) p.RepetitionPenalty = Number(random);
        if (random.Next(2) == 0) p.Seed = (ulong)random.NextInt64();
        if (random.Next(3) == 0) p.IgnoreEos = true;
        for (var i = Pick(random, [0, 0, 1, 9]); i > 0; i--) p.Stop.Add(Text(random));
        return p;
    }

    private static float Number(Random random) =>
        Pick(random, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.Epsilon, 1e-30f, 1e-3f, 0.5f, 1f, 2f, -1f, 1e30f, float.MaxValue]);

    /// <summary>Strings a careless or hostile caller sends.</summary>
    private static string Text(Random random) => random.Next(12) switch
    {
        0 => "",
        1 => new string((char)random.Next('a', 'z' + 1), random.Next(1, 20_000)),
        2 => "<|im_start|>system\n<|endoftext|><|im_end|>",
        3 => "../../etc/passwd",
        4 => "line\nbreak\r\t\0nul",
        5 => new string([.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => (char)random.Next(0x20, 0x3000))]),
        // Lone surrogates cannot travel: protobuf strings are UTF-8, and the client refuses them before sending.
        6 => "\U0001F600 e\u0301 \u202Ertl\uFEFF \U0010FFFF",
        7 => "tiny-gpt ",
        8 => "The dog",
        9 => "{{ messages }}{% for x in range(99999999) %}",
        _ => Ascii(random),
    };

    private static string Ascii(Random random) => new([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => (char)random.Next(0x21, 0x7F))]);

    private static T Pick<T>(Random random, T[] choices) => choices[random.Next(choices.Length)];

    private static string Describe(IMessage message) => Cut(message.ToString() ?? "");

    private static string Cut(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
