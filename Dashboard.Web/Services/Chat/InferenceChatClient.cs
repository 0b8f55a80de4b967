using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.Extensions.AI;
using MlStack.Inference.V1;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using GrpcChatMessage = MlStack.Inference.V1.ChatMessage;
using GrpcFinishReason = MlStack.Inference.V1.FinishReason;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// <see cref="IChatClient"/> over the inference service's streamed gRPC <c>Chat</c>. Every streamed message becomes
/// one text update; the summary becomes a last update with the usage, the finish reason, the model, and the
/// server's TTFT, tokens/s and model version in <see cref="ChatResponseUpdate.AdditionalProperties"/>.
/// Cancelling the token cancels the call, and the server stops decoding at its next step.
/// </summary>
public sealed class InferenceChatClient(TextGeneration.TextGenerationClient client) : IChatClient
{
    public const string ProviderName = "mlstack";

    /// <summary>A <see cref="ChatOptions.AdditionalProperties"/> entry: true keeps generating past the end-of-sequence token.</summary>
    public const string IgnoreEosProperty = "ignore_eos";

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = ToRequest(messages, options);
        var responseId = Guid.NewGuid().ToString("N");
        using var call = client.Chat(request, cancellationToken: cancellationToken);
        await foreach (var message in call.ResponseStream.ReadAllAsync(cancellationToken))
        {
            if (message.Text.Length > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, message.Text)
                {
                    ResponseId = responseId,
                    MessageId = responseId,
                    ModelId = request.Model.Length > 0 ? request.Model : null,
                };
            }
            if (message.Summary is { } summary)
            {
                yield return FromSummary(summary, responseId);
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata(ProviderName)
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }

    internal static ChatRequest ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new ChatRequest { Model = options?.ModelId ?? "", Parameters = new GenerationParameters() };
        foreach (var message in messages)
        {
            request.Messages.Add(new GrpcChatMessage { Role = message.Role.Value, Content = message.Text });
        }
        var parameters = request.Parameters;
        if (options?.MaxOutputTokens is { } maxTokens) parameters.MaxNewTokens = maxTokens;
        if (options?.Temperature is { } temperature) parameters.Temperature = temperature;
        if (options?.TopP is { } topP) parameters.TopP = topP;
        if (options?.TopK is { } topK) parameters.TopK = topK;
        if (options?.Seed is { } seed) parameters.Seed = unchecked((ulong)seed);
        if (options?.StopSequences is { } stops) parameters.Stop.AddRange(stops);
        if (options?.AdditionalProperties?.TryGetValue(IgnoreEosProperty, out var ignoreEos) == true && ignoreEos is true) parameters.IgnoreEos = true;
        return request;
    }

    private static ChatResponseUpdate FromSummary(GenerationSummary summary, string responseId) => new()
    {
        Role = ChatRole.Assistant,
        ResponseId = responseId,
        MessageId = responseId,
        ModelId = summary.Model,
        FinishReason = summary.FinishReason switch
        {
            GrpcFinishReason.Stop => ChatFinishReason.Stop,
            GrpcFinishReason.Length => ChatFinishReason.Length,
            GrpcFinishReason.Cancelled => new ChatFinishReason("cancelled"),
            _ => null,
        },
        Contents =
        [
            new UsageContent(new UsageDetails
            {
                InputTokenCount = summary.Usage?.PromptTokens,
                OutputTokenCount = summary.Usage?.CompletionTokens,
                CachedInputTokenCount = summary.Usage?.CachedPromptTokens,
                TotalTokenCount = summary.Usage is { } usage ? usage.PromptTokens + usage.CompletionTokens : null,
            }),
        ],
        AdditionalProperties = new()
        {
            [GenerationStats.TimeToFirstTokenKey] = summary.TimeToFirstTokenMs,
            [GenerationStats.TokensPerSecondKey] = summary.TokensPerSecond,
            [GenerationStats.TotalTimeKey] = summary.TotalTimeMs,
            [GenerationStats.ModelVersionKey] = summary.ModelVersion,
        },
    };
}
