using System.ClientModel;
using Grpc.Core;
using Microsoft.Extensions.AI;

namespace MlStack.Dashboard.Services.Chat;

/// <param name="Stopped">The user stopped the answer; the call was cancelled and the server stopped decoding.</param>
/// <param name="Error">Why the answer failed, in a sentence; null when it did not.</param>
public sealed record AnswerResult(GenerationStats Stats, bool Stopped, string? Error);

/// <summary>
/// Streams one answer from any backend through <see cref="IChatClient"/>, handing each piece of text to the page
/// as it arrives, and ends with the figures shown under the answer. Used by the chat and the comparison pages.
/// </summary>
public sealed class ChatAnswerer(ChatClientFactory clients)
{
    public const string StoppedReason = "stopped";

    public async Task<AnswerResult> AnswerAsync(ChatBackend backend, IReadOnlyList<ChatMessage> messages, ChatSettings settings,
        Func<string, Task> onText, CancellationToken cancellationToken)
    {
        var collector = new GenerationStatsCollector();
        try
        {
            using var client = await clients.CreateAsync(backend, cancellationToken);
            var options = new ChatOptions { ModelId = backend.Model, Temperature = settings.Temperature, MaxOutputTokens = settings.MaxNewTokens };
            if (settings.IgnoreEndOfSequence && backend.Kind == ChatBackendKind.MlStack)
            {
                options.AdditionalProperties = new() { [InferenceChatClient.IgnoreEosProperty] = true };
            }
            await foreach (var update in client.GetStreamingResponseAsync(messages, options, cancellationToken))
            {
                collector.Observe(update);
                if (!string.IsNullOrEmpty(update.Text))
                {
                    await onText(update.Text);
                }
            }
            return new AnswerResult(collector.Result(), Stopped: false, Error: null);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
        {
            return new AnswerResult(collector.Result(StoppedReason), Stopped: true, Error: null);
        }
        catch (Exception ex) when (ex is RpcException or HttpRequestException or ClientResultException or InvalidOperationException or TaskCanceledException)
        {
            var name = backend.Kind == ChatBackendKind.MlStack ? "inference service" : $"endpoint '{backend.EndpointName}'";
            return new AnswerResult(collector.Result(), Stopped: false, Error: BackendProblem.Describe(name, ex));
        }
    }
}
