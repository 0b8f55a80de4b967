using Grpc.Core;
using MlStack.Testing;
using static MlStack.Inference.IntegrationTests.Generation.Scheduling.ContinuousBatchingTests;

namespace MlStack.Inference.IntegrationTests.Generation.Scheduling;

/// <summary>tiny-gpt running one sequence at a time, with a queue, prompts prefilled in chunks of 16 tokens.</summary>
public sealed class OneSequenceHost : TemporaryRepositoryHost
{
    public const int ChunkTokens = 16;

    protected override void Compose(string repository) => AddTinyGpt(repository, "tiny-gpt",
        """{ "task": "text-generation", "generation": { "max_concurrent_sequences": 1, "max_waiting_requests": 4, "prefill_chunk_tokens": 16 } }""");
}

/// <summary>
/// A cancelled request counts once as finished_reason=cancelled and frees its place wherever the cancellation finds it:
/// waiting in the queue, between two chunks of its prompt, or decoding.
/// </summary>
public sealed class CancelledRequestTests(OneSequenceHost host) : IClassFixture<OneSequenceHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_request_cancelled_while_it_waits_in_the_queue_counts_as_cancelled_and_leaves_the_queue()
    {
        var client = host.TextGeneration;
        using var watcher = new GenerationMeterWatcher(host.Metrics);
        using var stopRunning = new CancellationTokenSource();
        var running = client.Generate(Greedy("The cat", 1000, ignoreEos: true), cancellationToken: stopRunning.Token);
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));

        using var cancel = new CancellationTokenSource();
        var queued = client.Generate(Greedy("The dog", 5, ignoreEos: true), cancellationToken: cancel.Token);
        await UntilAsync(() => watcher.Waiting == 1);
        Assert.Equal(1, watcher.Waiting);
        cancel.Cancel();
        await ExpectCancelledAsync(queued);
        await UntilAsync(() => watcher is { Waiting: 0, Cancelled: 1 });

        Assert.Equal(0, watcher.Waiting);
        Assert.Equal(1, watcher.Cancelled);
        // The running stream was not disturbed: it still holds the one place and goes on.
        Assert.Equal(1, watcher.Running);
        Assert.True(await running.ResponseStream.MoveNext(CancellationToken.None));
        stopRunning.Cancel();
        await watcher.WaitUntilStoppedAsync(cancelled: 2);
        Assert.Equal(0, watcher.Running);
        Assert.Equal(2, watcher.Cancelled);
    }

    [Fact]
    public async Task A_request_cancelled_between_two_chunks_of_its_prompt_counts_as_cancelled_and_its_prefill_stops()
    {
        var client = host.TextGeneration;
        using var watcher = new GenerationMeterWatcher(host.Metrics);
        using var cancel = new CancellationTokenSource();
        var prompt = string.Concat(Enumerable.Repeat("The cat sat on the mat and the dog ran to the park. ", 12));
        var promptTokens = host.Catalog.Resolve("tiny-gpt").Tokenizer.Encode(prompt).Count;
        Assert.True(promptTokens > 4 * OneSequenceHost.ChunkTokens, $"the prompt has {promptTokens} tokens");
        watcher.PrefillRan = _ =>
        {
            if (watcher.Iterations.Count(i => i.Kind == "prefill") != 1) return;
            cancel.Cancel();
            // The scheduler waits here, after the first chunk, until the service has taken the cancellation: so it
            // finds the request between two chunks of its prompt whatever the load on the machine.
            SpinWait.SpinUntil(() => watcher.Cancelled > 0, Patience);
        };

        await ExpectCancelledAsync(client.Generate(Greedy(prompt, 5, ignoreEos: true), cancellationToken: cancel.Token));
        await watcher.WaitUntilStoppedAsync();

        Assert.Equal(1, watcher.Cancelled);
        Assert.Equal(0, watcher.Running);
        Assert.Equal(0, watcher.Generated);
        var chunks = watcher.Iterations.Count(i => i.Kind == "prefill");
        Assert.True(chunks < (promptTokens + OneSequenceHost.ChunkTokens - 1) / OneSequenceHost.ChunkTokens,
            $"the whole prompt was prefilled ({chunks} chunks)");

        // Its place is free: the next request runs at once.
        var (_, tokens, _) = await client.Generate(Greedy("The cat", 3, ignoreEos: true)).CollectAsync();
        Assert.Equal(3, tokens.Count);
    }

    [Fact]
    public async Task A_request_cancelled_while_it_decodes_counts_as_cancelled_and_frees_its_place()
    {
        using var cancel = new CancellationTokenSource();
        using var watcher = new GenerationMeterWatcher(host.Metrics);
        var call = host.TextGeneration.Generate(Greedy("Once upon a time,", 1000, ignoreEos: true), cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        // A request waiting for the one place gets it once the cancelled one has left.
        var queued = host.TextGeneration.Generate(Greedy("The dog", 3, ignoreEos: true)).CollectAsync();
        await UntilAsync(() => watcher.Waiting == 1);

        cancel.Cancel();
        await ExpectCancelledAsync(call);
        var (_, tokens, _) = await queued;
        await UntilAsync(() => watcher is { Running: 0, Cancelled: 1 });

        Assert.Equal(3, tokens.Count);
        Assert.Equal(1, watcher.Cancelled);
        Assert.Equal(0, watcher.Running);
        Assert.InRange(watcher.Generated, 1 + 3, 999 + 3);
    }

    private static Task UntilAsync(Func<bool> condition) =>
        Polling.UntilAsync(() => Task.FromResult(condition()), done => done, Patience, TimeSpan.FromMilliseconds(10));

    /// <summary>The client sees CANCELLED once it reads on (the call's token was cancelled).</summary>
    private static async Task ExpectCancelledAsync(AsyncServerStreamingCall<MlStack.Inference.V1.GenerateResponse> call)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call.CollectAsync());
        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
    }
}
