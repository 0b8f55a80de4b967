using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;

namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// POST /v1/chat/completions. Plain: one JSON answer with `usage`. Streamed: server-sent events of
/// chat.completion.chunk objects, each content delta timed as a token, ending with `data: [DONE]`.
/// </summary>
public sealed class OpenAiChatTarget(Uri address, string? apiKey, string? model, string text, int maxTokens, bool stream) : HttpTarget(address, apiKey)
{
    private const string Path = "v1/chat/completions";

    public override string Description => $"openai-chat{(stream ? " (stream)" : "")} {Address}";

    public override string TokenKind => "generated";

    public override async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = text }),
            ["max_tokens"] = maxTokens,
        };
        if (model is not null) body["model"] = model;
        if (!stream)
        {
            var answer = await PostForJsonAsync(Path, body, cancellationToken);
            Required(Required(answer, "choices").AsArray().FirstOrDefault(), "message");
            return RequestOutcome.Success(TokensOrZero(answer["usage"], "completion_tokens"));
        }

        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        using var response = await PostAsync(Path, body, cancellationToken, streamed: true);
        await using var events = await response.Content.ReadAsStreamAsync(cancellationToken);
        var clock = new TokenClock();
        long? usageTokens = null;
        await foreach (var item in SseParser.Create(events).EnumerateAsync(cancellationToken))
        {
            if (item.Data == "[DONE]")
                return RequestOutcome.Success(usageTokens ?? clock.Tokens, clock);
            var chunk = JsonNode.Parse(item.Data);
            if (chunk?["choices"] is JsonArray { Count: > 0 } choices && choices[0]?["delta"]?["content"] is JsonValue content
                && content.GetValue<string>().Length > 0)
                clock.Arrived(1);
            if (chunk?["usage"] is JsonObject usage) usageTokens = TokensOrZero(usage, "completion_tokens");
        }
        throw new BadResponseException("the event stream ended without data: [DONE]");
    }
}
