using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>
/// n, seed, logprobs, penalties and logit_bias through the real doors (/v1/chat/completions, /v1/completions and gRPC
/// Chat/Generate) on the shipped tiny models: both doors give the same answers, streamed or not.
/// </summary>
public sealed class SamplingResultsTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    private const string Question = "What does a cat do?";

    private static JsonObject ChatBody(JsonObject extra, string model = "tiny-gpt")
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
            ["max_tokens"] = 16,
        };
        foreach (var (name, value) in extra) body[name] = value?.DeepClone();
        return body;
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject body)
    {
        using var response = await host.Http.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return JsonNode.Parse(text)!;
    }

    /// <summary>A streamed answer's chunks (data lines before [DONE]).</summary>
    private async Task<List<JsonNode>> StreamAsync(string path, JsonObject body)
    {
        body["stream"] = true;
        using var response = await host.Http.PostAsJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        return [.. events[..^1].Select(e => JsonNode.Parse(e)!)];
    }

    /// <summary>Counts finished prompt prefills of one model on this host's generation meter.</summary>
    private sealed class PrefillCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public PrefillCounter(GenerationHost host, string model)
        {
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, host.Metrics.Meter) && instrument.Name == "mlstack.generation.prefills") l.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "model" && (string?)tag.Value == model) Interlocked.Add(ref _count, value);
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    [Fact]
    public async Task N_three_gives_three_choices_from_one_prefill_with_every_choices_tokens_in_usage()
    {
        using var prefills = new PrefillCounter(host, "tiny-gpt");

        var answer = await PostAsync("/v1/chat/completions", ChatBody(new() { ["n"] = 3, ["temperature"] = 1, ["seed"] = 11 }));

        Assert.Equal(1, prefills.Count);
        var choices = answer["choices"]!.AsArray();
        Assert.Equal([0, 1, 2], choices.Select(c => (int)c!["index"]!));
        var texts = choices.Select(c => (string)c!["message"]!["content"]!).ToList();
        Assert.True(texts.Distinct().Count() > 1, $"three samples at temperature 1 were all '{texts[0]}'");
        var usage = answer["usage"]!;
        Assert.Equal((int)usage["prompt_tokens"]! + (int)usage["completion_tokens"]!, (int)usage["total_tokens"]!);
        Assert.True((int)usage["completion_tokens"]! > 16, "usage counts the tokens of all three choices");

        // gRPC: the same request, the same one prefill, the same three texts.
        var request = new ChatRequest { Model = "tiny-gpt", Parameters = new GenerationParameters { MaxNewTokens = 16, Temperature = 1, Seed = 11, N = 3 } };
        request.Messages.Add(new V1.ChatMessage { Role = "user", Content = Question });
        var grpc = await ReadChoicesAsync(host.TextGeneration.Chat(request));
        Assert.Equal(2, prefills.Count);
        Assert.Equal(texts, grpc.Select(c => c.Text));
        Assert.Equal((int)usage["completion_tokens"]!, grpc.Sum(c => c.Summary.Usage.CompletionTokens));
    }

    private sealed record GrpcChoice(string Text, List<int> Tokens, List<V1.TokenLogprob> Logprobs, GenerationSummary Summary);

    private static async Task<List<GrpcChoice>> ReadChoicesAsync(AsyncServerStreamingCall<GenerateResponse> call)
    {
        var choices = new SortedDictionary<int, (StringBuilder Text, List<int> Tokens, List<V1.TokenLogprob> Logprobs, GenerationSummary? Summary)>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (!choices.TryGetValue(message.Index, out var choice))
            {
                choices[message.Index] = choice = (new StringBuilder(), [], [], null);
            }
            Assert.Null(choice.Summary); // nothing of a choice after its summary
            choice.Text.Append(message.Text);
            choice.Tokens.AddRange(message.TokenIds);
            choice.Logprobs.AddRange(message.Logprobs);
            choices[message.Index] = choice with { Summary = message.Summary };
        }
        Assert.Equal(Enumerable.Range(0, choices.Count), choices.Keys);
        return [.. choices.Values.Select(c => new GrpcChoice(c.Text.ToString(), c.Tokens, c.Logprobs, c.Summary ?? throw new InvalidOperationException("a choice without summary")))];
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_text_and_another_seed_another_text()
    {
        JsonObject Body(long seed, int n = 1) => new() { ["model"] = "tiny-llama", ["prompt"] = "Once upon a time", ["max_tokens"] = 24, ["temperature"] = 1, ["seed"] = seed, ["n"] = n };
        static List<string> Texts(JsonNode answer) => [.. answer["choices"]!.AsArray().Select(c => (string)c!["text"]!)];

        var first = Texts(await PostAsync("/v1/completions", Body(5)));
        var again = Texts(await PostAsync("/v1/completions", Body(5)));
        var other = Texts(await PostAsync("/v1/completions", Body(6)));
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);

        var three = Texts(await PostAsync("/v1/completions", Body(5, n: 3)));
        var threeAgain = Texts(await PostAsync("/v1/completions", Body(5, n: 3)));
        Assert.Equal(three, threeAgain);
        Assert.Equal(3, three.Distinct().Count());

        var grpc = await host.TextGeneration.Generate(new GenerateRequest
        {
            Model = "tiny-llama",
            Prompt = "Once upon a time",
            Parameters = new GenerationParameters { MaxNewTokens = 24, Temperature = 1, Seed = 5 },
        }).CollectAsync();
        Assert.Equal(first[0], grpc.Text);
    }

    [Fact]
    public async Task Greedy_logprobs_put_the_chosen_token_on_top_and_spell_the_text_on_both_doors()
    {
        var answer = await PostAsync("/v1/chat/completions", ChatBody(new() { ["temperature"] = 0, ["logprobs"] = true, ["top_logprobs"] = 5 }));

        var choice = answer["choices"]![0]!;
        var content = choice["logprobs"]!["content"]!.AsArray();
        Assert.NotEmpty(content);
        var bytes = new List<byte>();
        foreach (var entry in content)
        {
            var top = entry!["top_logprobs"]!.AsArray();
            Assert.Equal(5, top.Count);
            Assert.Equal((string)entry["token"]!, (string)top[0]!["token"]!);
            Assert.Equal((double)entry["logprob"]!, (double)top[0]!["logprob"]!);
            Assert.True((double)entry["logprob"]! <= 0);
            Assert.True(top.Zip(top.Skip(1)).All(p => (double)p.First!["logprob"]! >= (double)p.Second!["logprob"]!));
            bytes.AddRange(entry["bytes"]!.AsArray().Select(b => (byte)(int)b!));
        }
        // The tokens spell the text (special tokens, which the text leaves out, are listed too, as vLLM lists them).
        Assert.Contains((string)choice["message"]!["content"]!, Encoding.UTF8.GetString([.. bytes]));

        // gRPC Chat: the same tokens with the same logprobs.
        var request = new ChatRequest
        {
            Model = "tiny-gpt",
            Parameters = new GenerationParameters { MaxNewTokens = 16, Temperature = 0, Logprobs = true, TopLogprobs = 5 },
        };
        request.Messages.Add(new V1.ChatMessage { Role = "user", Content = Question });
        var grpc = Assert.Single(await ReadChoicesAsync(host.TextGeneration.Chat(request)));
        Assert.Equal(content.Select(e => (string)e!["token"]!), grpc.Logprobs.Select(l => l.Token));
        Assert.Equal(content.Select(e => (float)(double)e!["logprob"]!), grpc.Logprobs.Select(l => l.Logprob));
        Assert.All(grpc.Logprobs, l => Assert.Equal(l.TokenId, l.TopLogprobs[0].TokenId));
        Assert.Equal(grpc.Tokens.Take(grpc.Logprobs.Count), grpc.Logprobs.Select(l => l.TokenId));
    }

    [Fact]
    public async Task Streamed_choices_interleave_by_index_and_reassemble_into_the_plain_answer()
    {
        var extra = new JsonObject { ["n"] = 2, ["temperature"] = 0.8, ["seed"] = 3, ["logprobs"] = true, ["top_logprobs"] = 2 };
        var plain = await PostAsync("/v1/chat/completions", ChatBody(extra));
        var chunks = await StreamAsync("/v1/chat/completions", ChatBody(extra));

        var indexes = chunks.SelectMany(c => c["choices"]!.AsArray()).Select(c => (int)c!["index"]!).ToList();
        Assert.Equal([0, 1], indexes.Distinct().Order());
        for (var i = 0; i < 2; i++)
        {
            var mine = chunks.SelectMany(c => c["choices"]!.AsArray()).Where(c => (int)c!["index"]! == i).ToList();
            var text = string.Concat(mine.Select(c => (string?)c!["delta"]!["content"]));
            var tokens = mine.Where(c => c!["logprobs"] is JsonObject).SelectMany(c => c!["logprobs"]!["content"]!.AsArray()).Select(e => (string)e!["token"]!);
            var expected = plain["choices"]![i]!;
            Assert.Equal((string)expected["message"]!["content"]!, text);
            Assert.Equal(expected["logprobs"]!["content"]!.AsArray().Select(e => (string)e!["token"]!), tokens);
            Assert.Equal((string)expected["finish_reason"]!, (string?)mine.Last()!["finish_reason"]);
        }
        Assert.Equal((int)plain["usage"]!["completion_tokens"]!, (int)chunks[^1]["usage"]!["completion_tokens"]!);
    }

    [Fact]
    public async Task Completions_logprobs_have_tokens_offsets_and_alternatives_streamed_or_not()
    {
        var body = new JsonObject { ["model"] = "tiny-gpt", ["prompt"] = "The dog", ["max_tokens"] = 10, ["temperature"] = 0, ["logprobs"] = 3 };
        var plain = await PostAsync("/v1/completions", body);
        var chunks = await StreamAsync("/v1/completions", (JsonObject)body.DeepClone());

        var choice = plain["choices"]![0]!;
        var text = (string)choice["text"]!;
        var logprobs = choice["logprobs"]!;
        var tokens = logprobs["tokens"]!.AsArray().Select(t => (string)t!).ToList();
        var offsets = logprobs["text_offset"]!.AsArray().Select(o => (int)o!).ToList();
        Assert.Equal(tokens.Count, logprobs["token_logprobs"]!.AsArray().Count);
        Assert.Equal(tokens.Count, offsets.Count);
        Assert.Equal(text, string.Concat(tokens));
        Assert.Equal(0, offsets[0]);
        for (var i = 1; i < tokens.Count; i++) Assert.Equal(offsets[i - 1] + tokens[i - 1].Length, offsets[i]);
        for (var i = 0; i < tokens.Count; i++)
        {
            var top = logprobs["top_logprobs"]![i]!.AsObject();
            Assert.InRange(top.Count, 1, 3);
            Assert.Equal((double)logprobs["token_logprobs"]![i]!, (double)top[tokens[i]]!);
        }

        var streamed = chunks.SelectMany(c => c["choices"]!.AsArray()).Where(c => c!["logprobs"] is JsonObject).ToList();
        Assert.Equal(tokens, streamed.SelectMany(c => c!["logprobs"]!["tokens"]!.AsArray()).Select(t => (string)t!));
        Assert.Equal(offsets, streamed.SelectMany(c => c!["logprobs"]!["text_offset"]!.AsArray()).Select(o => (int)o!));
    }

    [Fact]
    public async Task Logit_bias_and_penalties_change_the_tokens_on_both_doors()
    {
        // A +100 bias all but forces token 262 at every step.
        var grpc = await host.TextGeneration.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The dog",
            Parameters = new GenerationParameters { MaxNewTokens = 6, Temperature = 0, LogitBias = { [262] = 100 } },
        }).CollectAsync();
        Assert.Equal(Enumerable.Repeat(262, 6), grpc.Tokens);

        // A frequency penalty of 2 (the most) makes greedy decoding avoid repeating what it said.
        var plain = await PostAsync("/v1/completions", new JsonObject { ["model"] = "tiny-gpt", ["prompt"] = "The dog", ["max_tokens"] = 60, ["temperature"] = 0, ["ignore_eos"] = true });
        var penalized = await PostAsync("/v1/completions", new JsonObject
        {
            ["model"] = "tiny-gpt", ["prompt"] = "The dog", ["max_tokens"] = 60, ["temperature"] = 0, ["ignore_eos"] = true,
            ["frequency_penalty"] = 2, ["presence_penalty"] = 2, ["logprobs"] = 0,
        });
        Assert.True((string)plain["choices"]![0]!["text"]! != (string)penalized["choices"]![0]!["text"]!, (string)plain["choices"]![0]!["text"]!);
        var tokens = penalized["choices"]![0]!["logprobs"]!["tokens"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.True(tokens.Distinct().Count() > tokens.Count / 2, $"penalized tokens repeat: {string.Join('|', tokens)}");
    }

    [Fact]
    public async Task A_cancelled_n_request_frees_every_choice_and_the_model_serves_on()
    {
        using var watcher = new GenerationMeterWatcher(host.Metrics);
        using var cancel = new CancellationTokenSource();
        var call = host.TextGeneration.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The dog",
            Parameters = new GenerationParameters { MaxNewTokens = 200, Temperature = 1, IgnoreEos = true, N = 3 },
        }, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(3, watcher.Running);

        cancel.Cancel();
        await watcher.WaitUntilStoppedAsync(cancelled: 3);

        Assert.Equal(0, watcher.Running);
        Assert.Equal(3, watcher.Cancelled);
        var next = await host.TextGeneration.Generate(new GenerateRequest { Model = "tiny-gpt", Prompt = "The dog", Parameters = new() { MaxNewTokens = 3, IgnoreEos = true } }).CollectAsync();
        Assert.Equal(3, next.Summary.Usage.CompletionTokens);
    }

    public static TheoryData<string, string> BadValues => new()
    {
        { """{"top_logprobs": 21, "logprobs": true}""", "top_logprobs" },
        { """{"top_logprobs": 2}""", "top_logprobs" },
        { """{"presence_penalty": 2.5}""", "presence_penalty" },
        { """{"frequency_penalty": -3}""", "frequency_penalty" },
        { """{"logit_bias": {"99999999": 1}}""", "logit_bias" },
        { """{"logit_bias": {"5": 101}}""", "logit_bias" },
        { """{"n": 0}""", "n" },
        { """{"n": 1000}""", "n" },
        { """{"max_tokens": 5, "max_completion_tokens": 6}""", "max_completion_tokens" },
        { """{"stop": ["a", "b", "c", "d", "e", "f", "g", "h", "i"]}""", "stop" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Bad_values_are_400s_on_v1_naming_the_field(string fields, string field)
    {
        var body = ChatBody(JsonNode.Parse(fields)!.AsObject());
        using var response = await host.Http.PostAsJsonAsync("/v1/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!;
        Assert.Contains(field, message);
    }

    public static TheoryData<string, string> BadGrpcValues => new()
    {
        { """{"logprobs": true, "topLogprobs": 21}""", "top_logprobs" },
        { """{"topLogprobs": 3}""", "top_logprobs" },
        { """{"presencePenalty": -2.5}""", "presence_penalty" },
        { """{"frequencyPenalty": 2.01}""", "frequency_penalty" },
        { """{"logitBias": {"99999999": 1}}""", "logit_bias" },
        { """{"logitBias": {"-1": 1}}""", "logit_bias" },
        { """{"logitBias": {"5": -150}}""", "logit_bias" },
        { """{"n": 0}""", "n" },
        { """{"n": 129}""", "n" },
        { """{"n": 17}""", "max_concurrent_sequences" }, // more choices than decode together (16 by default)
    };

    [Theory]
    [MemberData(nameof(BadGrpcValues))]
    public async Task Bad_values_are_invalid_argument_on_grpc_naming_the_field(string parameters, string field)
    {
        var request = new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The dog",
            Parameters = Google.Protobuf.JsonParser.Default.Parse<GenerationParameters>(parameters),
        };

        var error = await Assert.ThrowsAsync<RpcException>(() => host.TextGeneration.Generate(request).CollectAsync());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(field, error.Status.Detail);
        // The server goes on answering.
        var next = await host.TextGeneration.Generate(new GenerateRequest { Model = "tiny-gpt", Prompt = "The dog", Parameters = new() { MaxNewTokens = 2 } }).CollectAsync();
        Assert.Equal(2, next.Summary.Usage.CompletionTokens);
    }
}
