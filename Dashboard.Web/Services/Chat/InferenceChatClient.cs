using System.Runtime.CompilerServices;
using System.Text.Json;
using Grpc.Core;
using Microsoft.Extensions.AI;
using MlStack.Inference.V1;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using GrpcChatMessage = MlStack.Inference.V1.ChatMessage;
using GrpcFinishReason = MlStack.Inference.V1.FinishReason;
using GrpcToolCall = MlStack.Inference.V1.ToolCall;
using GrpcToolChoice = MlStack.Inference.V1.ToolChoice;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// <see cref="IChatClient"/> over the inference service's streamed gRPC <c>Chat</c>. Every streamed message becomes
/// one text update; the summary becomes a last update with the usage, the finish reason, the model, and the
/// server's TTFT, tokens/s and model version in <see cref="ChatResponseUpdate.AdditionalProperties"/>.
/// Tools, the tool mode and JSON response formats go to the server; its tool calls come back as
/// <see cref="FunctionCallContent"/>, and function results go back as tool messages, so a FunctionInvokingChatClient
/// over it runs tools as over any OpenAI client. Cancelling the token cancels the call, and the server stops decoding
/// at its next step.
/// </summary>
public sealed class InferenceChatClient(TextGeneration.TextGenerationClient client) : IChatClient
{
    public const string ProviderName = "mlstack";

    /// <summary>A <see cref="ChatOptions.AdditionalProperties"/> entry: true keeps generating past the end-of-sequence token.</summary>
    public const string IgnoreEosProperty = "ignore_eos";

    /// <summary>Microsoft.Extensions.AI's JSON settings, written compactly: arguments and results are sent as the model would write them.</summary>
    private static readonly JsonSerializerOptions Json = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false };

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
            if (message.ToolCalls.Count > 0)
            {
                yield return new ChatResponseUpdate(ChatRole.Assistant, [.. message.ToolCalls.Select(FromToolCall)])
                {
                    ResponseId = responseId,
                    MessageId = responseId,
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
            AddMessage(request, message);
        }
        foreach (var tool in options?.Tools?.OfType<AIFunctionDeclaration>() ?? [])
        {
            request.Tools.Add(new Tool { Name = tool.Name, Description = tool.Description ?? "", ParametersJson = tool.JsonSchema.GetRawText() });
        }
        if (request.Tools.Count > 0)
        {
            request.ToolChoice = options?.ToolMode switch
            {
                NoneChatToolMode => new GrpcToolChoice { Mode = GrpcToolChoice.Types.Mode.ToolChoiceNone },
                RequiredChatToolMode { RequiredFunctionName: { } name } => new GrpcToolChoice { Mode = GrpcToolChoice.Types.Mode.ToolChoiceFunction, FunctionName = name },
                RequiredChatToolMode => new GrpcToolChoice { Mode = GrpcToolChoice.Types.Mode.ToolChoiceRequired },
                _ => new GrpcToolChoice { Mode = GrpcToolChoice.Types.Mode.ToolChoiceAuto },
            };
        }
        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            request.ResponseFormat = json.Schema is { } schema
                ? new ResponseFormat { Type = "json_schema", JsonSchema = schema.GetRawText() }
                : new ResponseFormat { Type = "json_object" };
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

    /// <summary>
    /// A message as the service takes it: an assistant's function calls become its tool_calls, and each function result
    /// becomes a tool message answering its call (as OpenAI's wire has them).
    /// </summary>
    private static void AddMessage(ChatRequest request, ChatMessage message)
    {
        var results = message.Contents.OfType<FunctionResultContent>().ToList();
        foreach (var result in results)
        {
            request.Messages.Add(new GrpcChatMessage { Role = "tool", ToolCallId = result.CallId, Content = ResultText(result.Result) });
        }
        var calls = message.Contents.OfType<FunctionCallContent>().ToList();
        if (results.Count > 0 && calls.Count == 0 && message.Text.Length == 0)
        {
            return;
        }
        var grpc = new GrpcChatMessage { Role = message.Role == ChatRole.Tool ? "tool" : message.Role.Value, Content = message.Text };
        grpc.ToolCalls.AddRange(calls.Select(c => new GrpcToolCall
        {
            Id = c.CallId,
            Name = c.Name,
            Arguments = JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>(), Json),
        }));
        request.Messages.Add(grpc);
    }

    private static string ResultText(object? result) => result switch
    {
        null => "",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } text => text.GetString()!,
        _ => JsonSerializer.Serialize(result, Json),
    };

    private static FunctionCallContent FromToolCall(GrpcToolCall call)
    {
        Dictionary<string, object?>? arguments;
        try
        {
            arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(call.Arguments, Json);
        }
        catch (JsonException error)
        {
            // Kept with the call, so the function invoker reports it to the model rather than the page failing.
            return new FunctionCallContent(call.Id, call.Name) { Exception = error };
        }
        return new FunctionCallContent(call.Id, call.Name, arguments);
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
            GrpcFinishReason.ToolCalls => ChatFinishReason.ToolCalls,
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
