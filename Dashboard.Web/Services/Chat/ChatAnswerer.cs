using Grpc.Core;
using Microsoft.Extensions.AI;

namespace MlStack.Dashboard.Services.Chat;

/// <param name="Stopped">The user stopped the answer; the call was cancelled and the server stopped decoding.</param>
/// <param name="Error">Why the answer failed, in a sentence; null when it did not.</param>
public sealed record AnswerResult(GenerationStats Stats, bool Stopped, string? Error);

/// <summary>
/// Streams one answer from any backend through <see cref="IChatClient"/>, handing each piece of text to the page
/// as it arrives, and ends with the figures shown under the answer. Used by the chat and the comparison pages.
/// It never throws: a backend that refuses, fails, or stays silent for <see cref="ChatLimits.SilenceTimeout"/> ends
/// the answer with an error sentence; the caller's cancellation (Stop, Esc) ends it as stopped.
/// </summary>
public sealed class ChatAnswerer(ChatClientFactory clients, ILogger<ChatAnswerer> logger, ILoggerFactory? loggers = null)
{
    public const string StoppedReason = "stopped";

    /// <summary>Shorter in tests, so a silent backend is seen without waiting the full timeout.</summary>
    internal TimeSpan SilenceTimeout { get; init; } = ChatLimits.SilenceTimeout;

    /// <param name="tools">Functions the model may call: Microsoft.Extensions.AI's function invocation runs them and sends their results back.</param>
    public async Task<AnswerResult> AnswerAsync(ChatBackend backend, IReadOnlyList<ChatMessage> messages, ChatSettings settings,
        Func<string, Task> onText, CancellationToken cancellationToken, IReadOnlyList<AITool>? tools = null)
    {
        var collector = new GenerationStatsCollector();
        var name = backend.Kind == ChatBackendKind.MlStack ? "inference service" : $"endpoint '{backend.EndpointName}'";
        // Restarted at every update: a backend that accepts the call and then says nothing cannot hold the page.
        using var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        silence.CancelAfter(SilenceTimeout);
        try
        {
            using var backendClient = await clients.CreateAsync(backend, silence.Token);
            using var client = tools is { Count: > 0 } ? backendClient.AsBuilder().UseFunctionInvocation(loggers).Build() : backendClient;
            var options = new ChatOptions { ModelId = backend.Model, Temperature = settings.Temperature, MaxOutputTokens = settings.MaxNewTokens };
            if (tools is { Count: > 0 })
            {
                options.Tools = [.. tools];
                options.ToolMode = ChatToolMode.Auto;
            }
            // With tools the answer may be a call, which a JSON format would forbid (the service refuses the pair), so JSON
            // mode shapes plain answers only; the settings panel says so.
            if (settings.JsonMode && tools is not { Count: > 0 })
            {
                options.ResponseFormat = ChatResponseFormat.Json;
            }
            if (settings.IgnoreEndOfSequence && backend.Kind == ChatBackendKind.MlStack)
            {
                options.AdditionalProperties = new() { [InferenceChatClient.IgnoreEosProperty] = true };
            }
            await foreach (var update in client.GetStreamingResponseAsync(messages, options, silence.Token))
            {
                silence.CancelAfter(SilenceTimeout);
                collector.Observe(update);
                if (!string.IsNullOrEmpty(update.Text))
                {
                    await onText(update.Text);
                }
            }
            return new AnswerResult(collector.Result(), Stopped: false, Error: null);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && IsCancellation(ex))
        {
            return new AnswerResult(collector.Result(StoppedReason), Stopped: true, Error: null);
        }
        catch (Exception ex) when (silence.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The {Backend} sent nothing for {Seconds} s: {Message}", name, SilenceTimeout.TotalSeconds, ex.Message);
            return new AnswerResult(collector.Result(), Stopped: false,
                Error: $"The {name} sent nothing for {SilenceTimeout.TotalSeconds:0} s, so the answer was ended. Try again, or choose another model.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Whatever a backend or its client library throws (the OpenAI client's "Retry failed after 4 tries"
            // AggregateException among them) ends this answer with a sentence, never the page.
            logger.LogWarning(ex, "The answer from the {Backend} failed", name);
            return new AnswerResult(collector.Result(), Stopped: false, Error: Describe(name, ex));
        }
    }

    private static bool IsCancellation(Exception ex) =>
        ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled }
        || ex is AggregateException aggregate && aggregate.InnerExceptions.All(IsCancellation);

    /// <summary>The innermost reason: the OpenAI client wraps its tries in an AggregateException.</summary>
    private static string Describe(string name, Exception ex) => ex switch
    {
        AggregateException { InnerExceptions.Count: > 0 } aggregate => Describe(name, aggregate.InnerExceptions[^1]),
        System.ClientModel.ClientResultException { Status: > 0 } http => $"The {name} answered HTTP {http.Status}: {http.Message}",
        _ => BackendProblem.Describe(name, ex),
    };
}
