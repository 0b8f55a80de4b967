using System.Diagnostics;
using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.Services.Cost;

/// <summary>
/// A short load run started from the cost page: a few concurrent chats against one model for a bounded time,
/// counting finished answers and generated tokens. One run at a time for the whole dashboard. A backend that
/// fails ends the run with a <see cref="BackendCallException"/>, so the page sees no transport type.
/// </summary>
public sealed class LoadRunner(ChatClientFactory clients)
{
    public const int MaxConcurrency = 8;
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(60);

    private static readonly string[] Prompts =
    [
        "What does a cat do?", "Tell me a short story about the sea.", "What is two plus three?", "Describe a rainy day.",
    ];

    private readonly SemaphoreSlim _oneRun = new(1, 1);

    public bool IsRunning => _oneRun.CurrentCount == 0;

    public async Task<MeasuredThroughput> RunAsync(ChatBackend backend, int concurrency, TimeSpan duration, int maxTokens,
        IProgress<double>? progress, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(concurrency, MaxConcurrency);
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(duration, MaxDuration);
        if (!await _oneRun.WaitAsync(0, cancellationToken))
        {
            throw new InvalidOperationException("A load run is in progress already.");
        }
        try
        {
            using var client = await clients.CreateAsync(backend, cancellationToken);
            var options = new ChatOptions { ModelId = backend.Model, MaxOutputTokens = maxTokens, Temperature = 0.8f };
            var stopwatch = Stopwatch.StartNew();
            long requests = 0, tokens = 0;
            using var reporter = new Timer(_ => progress?.Report(Math.Min(1, stopwatch.Elapsed / duration)), null, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));

            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
            {
                for (var i = worker; stopwatch.Elapsed < duration; i++)
                {
                    var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, Prompts[i % Prompts.Length])], options, cancellationToken);
                    Interlocked.Increment(ref requests);
                    Interlocked.Add(ref tokens, response.Usage?.OutputTokenCount ?? 0);
                }
            }));
            var seconds = stopwatch.Elapsed.TotalSeconds;
            progress?.Report(1);
            return new MeasuredThroughput(requests / seconds, tokens / seconds,
                $"load run: {concurrency} concurrent chats on {backend.DisplayName} for {seconds:F0} s, {requests} answers");
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var name = backend.Kind == ChatBackendKind.MlStack ? "inference service" : $"endpoint '{backend.EndpointName}'";
            throw new BackendCallException(BackendProblem.Describe(name, ex is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[^1] : ex),
                refused: false, ex);
        }
        finally
        {
            _oneRun.Release();
        }
    }
}
