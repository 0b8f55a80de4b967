using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.Scheduling;

/// <summary>Iteration-level batching through the gRPC service: shared decoder steps, independent streams.</summary>
public sealed class ContinuousBatchingTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    internal static GenerateRequest Greedy(string prompt, int maxNewTokens, bool ignoreEos = false, string model = "tiny-gpt") => new()
    {
        Model = model,
        Prompt = prompt,
        Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = maxNewTokens, IgnoreEos = ignoreEos },
    };

    // Greedy output is the same alone (ReferenceGenerationTests) and in a batch: the ids the export script wrote.
    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task Eight_concurrent_greedy_streams_reproduce_the_reference_ids_in_shared_steps(string model)
    {
        using var watcher = new GenerationMeterWatcher(host.Metrics, model);
        // A long stream keeps the batch busy, so every reference stream decodes in steps shared with others.
        using var anchor = new CancellationTokenSource();
        var running = host.TextGeneration.Generate(Greedy("Once upon a time,", 1000, ignoreEos: true, model), cancellationToken: anchor.Token);
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));

        var (streams, calls) = StartReferences(model, 8);
        var results = await Task.WhenAll(calls);
        anchor.Cancel();

        for (var i = 0; i < streams.Length; i++)
        {
            Assert.Equal(streams[i].GeneratedIds, results[i].Tokens);
        }
        Assert.InRange(watcher.LargestStep, 2, 9);
        Assert.True(watcher.Iterations.Count(i => i.Kind == "step") < results.Sum(r => r.Tokens.Count),
            "the streams shared decoder steps: fewer steps than tokens");
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task A_stream_cancelled_mid_batch_leaves_the_others_intact(string model)
    {
        using var cancel = new CancellationTokenSource();
        using var watcher = new GenerationMeterWatcher(host.Metrics, model);
        var cancelled = host.TextGeneration.Generate(Greedy("The dog", 1000, ignoreEos: true, model), cancellationToken: cancel.Token);
        var (streams, others) = StartReferences(model, 7);

        Assert.True(await cancelled.ResponseStream.MoveNext(CancellationToken.None));
        cancel.Cancel();
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await cancelled.ResponseStream.MoveNext(CancellationToken.None)) { }
        });
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);

        var results = await Task.WhenAll(others);
        for (var i = 0; i < streams.Length; i++)
        {
            Assert.Equal(streams[i].GeneratedIds, results[i].Tokens);
        }
        await watcher.WaitUntilStoppedAsync();
        Assert.Equal(0, watcher.Running);
        Assert.Equal(1, watcher.Cancelled);
    }

    /// <summary><paramref name="count"/> concurrent greedy streams of the model's references, taken in turn.</summary>
    private (ReferenceGenerationTests.Reference[] References, Task<(string Text, List<int> Tokens, GenerationSummary Summary)>[] Calls) StartReferences(string model, int count)
    {
        var file = ReferenceGenerationTests.Load(model);
        var references = Enumerable.Range(0, count).Select(i => file.References[i % file.References.Count]).ToArray();
        return (references, [.. references.Select(r => Start(model, r, file.MaxNewTokens).CollectAsync())]);
    }

    /// <summary>A reference's request: Chat when it has messages, else Generate; greedy.</summary>
    private AsyncServerStreamingCall<GenerateResponse> Start(string model, ReferenceGenerationTests.Reference reference, int maxNewTokens)
    {
        var parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = maxNewTokens };
        if (reference.Messages is not { } messages)
        {
            return host.TextGeneration.Generate(new GenerateRequest { Model = model, Prompt = reference.Prompt, Parameters = parameters });
        }
        var chat = new ChatRequest { Model = model, Parameters = parameters };
        chat.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
        return host.TextGeneration.Chat(chat);
    }

    [Fact]
    public async Task Streams_in_one_batch_keep_their_own_sampling_stop_sequences_and_limits()
    {
        var client = host.TextGeneration;
        var alone = await client.Generate(Sampled(42, 30)).CollectAsync();
        var (full, _, _) = await client.Generate(Greedy("Once upon a time,", 30, ignoreEos: true)).CollectAsync();
        var stop = full.Substring(full.Length / 2, 4);
        var stopped = Greedy("Once upon a time,", 30, ignoreEos: true);
        stopped.Parameters.Stop.Add(stop);

        var together = await Task.WhenAll(
            client.Generate(Sampled(42, 30)).CollectAsync(),
            client.Generate(stopped).CollectAsync(),
            client.Generate(Greedy("The cat", 3, ignoreEos: true)).CollectAsync(),
            client.Generate(Sampled(7, 30)).CollectAsync());

        Assert.Equal(alone.Tokens, together[0].Tokens);
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], together[1].Text);
        Assert.Equal(FinishReason.Stop, together[1].Summary.FinishReason);
        Assert.Equal(3, together[2].Tokens.Count);
        Assert.Equal(FinishReason.Length, together[2].Summary.FinishReason);
        Assert.NotEqual(together[0].Tokens, together[3].Tokens);

        static GenerateRequest Sampled(ulong seed, int tokens) => new()
        {
            Model = "tiny-gpt",
            Prompt = "Once upon a time,",
            Parameters = new GenerationParameters { Temperature = 1.2f, TopP = 0.9f, Seed = seed, MaxNewTokens = tokens, IgnoreEos = true },
        };
    }
}

/// <summary>Prompts prefilled in chunks of 32 tokens between decoder steps.</summary>
public sealed class ChunkedPrefillHost : GenerationHost
{
    public const int ChunkTokens = 32;

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
        [new("Generation:PrefillChunkTokens", ChunkTokens.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}

public sealed class ChunkedPrefillTests(ChunkedPrefillHost host) : IClassFixture<ChunkedPrefillHost>
{
    [Fact]
    public async Task A_long_prompt_joining_running_streams_delays_each_of_their_tokens_by_at_most_one_chunk()
    {
        var client = host.TextGeneration;
        using var stop = new CancellationTokenSource();
        var running = new[] { "The cat", "The dog", "Once upon a time," }
            .Select(p => client.Generate(ContinuousBatchingTests.Greedy(p, 1000, ignoreEos: true), cancellationToken: stop.Token)).ToArray();
        foreach (var call in running)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        }

        using var watcher = new GenerationMeterWatcher(host.Metrics);
        var longPrompt = string.Concat(Enumerable.Repeat("The cat sat on the mat and the dog ran to the park. ", 30));
        var (_, tokens, summary) = await client.Generate(ContinuousBatchingTests.Greedy(longPrompt, 2, ignoreEos: true)).CollectAsync();
        stop.Cancel();

        Assert.Equal(2, tokens.Count);
        var promptTokens = summary.Usage.PromptTokens;
        Assert.True(promptTokens > 8 * ChunkedPrefillHost.ChunkTokens, $"the prompt has {promptTokens} tokens");
        var iterations = watcher.Iterations;
        var chunks = iterations.Select((e, i) => (e, i)).Where(p => p.e.Kind == "prefill").ToList();
        // The prompt ran in chunks of at most 32 tokens...
        Assert.Equal((promptTokens + ChunkedPrefillHost.ChunkTokens - 1) / ChunkedPrefillHost.ChunkTokens, chunks.Count);
        Assert.Equal(promptTokens, chunks.Sum(c => c.e.Value));
        Assert.All(chunks, c => Assert.InRange(c.e.Value, 1, ChunkedPrefillHost.ChunkTokens));
        // ...and between two of its chunks the three running streams got a token each: a step of all three ran.
        for (var c = 1; c < chunks.Count; c++)
        {
            var between = iterations.Skip(chunks[c - 1].i + 1).Take(chunks[c].i - chunks[c - 1].i - 1).ToList();
            Assert.Contains(between, e => e is { Kind: "step", Value: >= 3 });
        }
    }
}

/// <summary>tiny-gpt whose model.json allows one running sequence and one waiting.</summary>
public sealed class QueueLimitedHost : TemporaryRepositoryHost
{
    protected override void Compose(string repository) => AddTinyGpt(repository, "tiny-gpt",
        """{ "task": "text-generation", "generation": { "max_concurrent_sequences": 1, "max_waiting_requests": 1 } }""");
}

public sealed class QueueLimitTests(QueueLimitedHost host) : IClassFixture<QueueLimitedHost>
{
    [Fact]
    public async Task Beyond_the_models_running_and_waiting_limits_a_request_gets_resource_exhausted_and_a_waiting_one_is_served_later()
    {
        var client = host.TextGeneration;
        using var watcher = new GenerationMeterWatcher(host.Metrics);
        using var stop = new CancellationTokenSource();
        var first = client.Generate(ContinuousBatchingTests.Greedy("The cat", 1000, ignoreEos: true), cancellationToken: stop.Token);
        Assert.True(await first.ResponseStream.MoveNext(CancellationToken.None));
        var waiting = client.Generate(ContinuousBatchingTests.Greedy("The dog", 5, ignoreEos: true)).CollectAsync();
        await MlStack.Testing.Polling.UntilAsync(() => Task.FromResult(watcher.Waiting), w => w == 1, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(10));
        Assert.Equal(1, watcher.Waiting);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.Generate(ContinuousBatchingTests.Greedy("Hello", 5)).CollectAsync());

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
        Assert.Contains("1 sequences running and 1 waiting", error.Status.Detail);
        Assert.Contains("generation.max_waiting_requests", error.Status.Detail);
        stop.Cancel();
        var (_, tokens, summary) = await waiting;
        Assert.Equal(5, tokens.Count);
        Assert.Equal(FinishReason.Length, summary.FinishReason);
    }
}
