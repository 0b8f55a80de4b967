using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>
/// OpenAI's response objects, written straight to the response: chat.completion, text_completion, their streamed
/// chunks, usage, lists of models and embeddings, and the error object.
/// </summary>
public static class OpenAIJson
{
    public const string ChatCompletion = "chat.completion";
    public const string ChatCompletionChunk = "chat.completion.chunk";
    public const string TextCompletion = "text_completion";

    /// <summary>What identifies one answer in each of its objects.</summary>
    public sealed record Answer(string Id, string Object, long Created, string Model, string Fingerprint, bool Chat);

    /// <summary>One choice in an answer or a chunk: its text (null: none), the role (first chunk), the finish reason once known, logprobs when asked for.</summary>
    /// <param name="ToolCalls">The calls of a whole chat answer: its message then has them, and content null when it has no text.</param>
    public sealed record ChoicePart(int Index, string? Text, bool WithRole, string? FinishReason, IReadOnlyList<PlacedLogprobs>? Logprobs = null,
        IReadOnlyList<ToolCall>? ToolCalls = null);

    /// <summary>A token's logprobs and where its text starts in the choice's text (completions' text_offset).</summary>
    public readonly record struct PlacedLogprobs(TokenLogprobs Value, int TextOffset);

    /// <summary>Tokens of the whole answer: the prompt once (of which CachedTokens came from the prefix cache), the completion tokens of every choice.</summary>
    public sealed record UsageCounts(int PromptTokens, int CompletionTokens, int CachedTokens = 0);

    /// <summary>
    /// A whole answer (chat.completion or text_completion), or one chunk of a streamed one: text (null: none), the
    /// finish reason once known (null before), usage when given.
    /// </summary>
    public static void WriteChoice(IBufferWriter<byte> output, Answer answer, string? text, bool withRole, string? finishReason, GenerationResult? usage,
        IReadOnlyList<ToolCall>? toolCalls = null) =>
        WriteAnswer(output, answer, null, text is not null || finishReason is not null ? [new ChoicePart(0, text, withRole, finishReason, null, toolCalls)] : [],
            usage is null ? null : new UsageCounts(usage.PromptTokens, usage.CompletionTokens, usage.CachedPromptTokens));

    /// <summary>An answer or chunk with any number of choices; <paramref name="tokenizer"/> spells the tokens of logprobs.</summary>
    public static void WriteAnswer(IBufferWriter<byte> output, Answer answer, ModelTokenizer? tokenizer, IReadOnlyList<ChoicePart> choices, UsageCounts? usage)
    {
        using var json = new Utf8JsonWriter(output);
        WriteHeader(json, answer);
        var streamed = answer.Object == ChatCompletionChunk;
        foreach (var choice in choices)
        {
            json.WriteStartObject();
            json.WriteNumber("index", choice.Index);
            if (answer.Chat)
            {
                json.WriteStartObject(streamed ? "delta" : "message");
                if (choice.WithRole || !streamed) json.WriteString("role", "assistant");
                if (choice.ToolCalls is { Count: > 0 } && string.IsNullOrEmpty(choice.Text)) json.WriteNull("content");
                else if (choice.Text is not null || !streamed) json.WriteString("content", choice.Text ?? "");
                if (choice.ToolCalls is { Count: > 0 } calls)
                {
                    json.WriteStartArray("tool_calls");
                    foreach (var call in calls) WriteToolCall(json, call, index: null, call.Arguments);
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }
            else
            {
                json.WriteString("text", choice.Text ?? "");
            }
            if (choice.Logprobs is null || tokenizer is null) json.WriteNull("logprobs");
            else if (answer.Chat) WriteChatLogprobs(json, tokenizer, choice.Logprobs);
            else WriteCompletionLogprobs(json, tokenizer, choice.Logprobs);
            if (choice.FinishReason is null) json.WriteNull("finish_reason");
            else json.WriteString("finish_reason", choice.FinishReason);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (usage is not null)
        {
            WriteUsage(json, usage.PromptTokens, usage.CompletionTokens, usage.CachedTokens);
        }
        else
        {
            json.WriteNull("usage");
        }
        json.WriteEndObject();
    }

    /// <summary>
    /// One chunk of a streamed call, as OpenAI streams them: the first of a call has its index, id, type and name (and
    /// empty arguments), the next ones the index and a piece of the arguments.
    /// </summary>
    public static void WriteToolCallDelta(IBufferWriter<byte> output, Answer answer, int choice, ToolCallDelta delta)
    {
        using var json = new Utf8JsonWriter(output);
        WriteHeader(json, answer);
        json.WriteStartObject();
        json.WriteNumber("index", choice);
        json.WriteStartObject("delta");
        json.WriteStartArray("tool_calls");
        if (delta.IsHeader) WriteToolCall(json, new ToolCall(delta.Id!, delta.Name!, ""), delta.Index, delta.Arguments);
        else
        {
            json.WriteStartObject();
            json.WriteNumber("index", delta.Index);
            json.WriteStartObject("function");
            json.WriteString("arguments", delta.Arguments);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteNull("logprobs");
        json.WriteNull("finish_reason");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteNull("usage");
        json.WriteEndObject();
    }

    private static void WriteHeader(Utf8JsonWriter json, Answer answer)
    {
        json.WriteStartObject();
        json.WriteString("id", answer.Id);
        json.WriteString("object", answer.Object);
        json.WriteNumber("created", answer.Created);
        json.WriteString("model", answer.Model);
        json.WriteString("system_fingerprint", answer.Fingerprint);
        json.WriteStartArray("choices");
    }

    private static void WriteToolCall(Utf8JsonWriter json, ToolCall call, int? index, string arguments)
    {
        json.WriteStartObject();
        if (index is { } i) json.WriteNumber("index", i);
        json.WriteString("id", call.Id);
        json.WriteString("type", "function");
        json.WriteStartObject("function");
        json.WriteString("name", call.Name);
        json.WriteString("arguments", arguments);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>Chat's shape: {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}], "refusal": null}.</summary>
    private static void WriteChatLogprobs(Utf8JsonWriter json, ModelTokenizer tokenizer, IReadOnlyList<PlacedLogprobs> logprobs)
    {
        json.WriteStartObject("logprobs");
        json.WriteStartArray("content");
        foreach (var (value, _) in logprobs)
        {
            json.WriteStartObject();
            WriteToken(json, tokenizer, value.Token, value.Logprob);
            json.WriteStartArray("top_logprobs");
            foreach (var top in value.Top)
            {
                json.WriteStartObject();
                WriteToken(json, tokenizer, top.Token, top.Logprob);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteNull("refusal");
        json.WriteEndObject();
    }

    private static void WriteToken(Utf8JsonWriter json, ModelTokenizer tokenizer, int token, float logprob)
    {
        json.WriteString("token", TokenSpelling.Text(tokenizer, token));
        json.WriteNumber("logprob", logprob);
        json.WriteStartArray("bytes");
        foreach (var b in tokenizer.TokenBytes(token)) json.WriteNumberValue(b);
        json.WriteEndArray();
    }

    /// <summary>
    /// Completions' shape: {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}. Alternatives that
    /// spell the same text keep the most likely (a JSON object has one value per key).
    /// </summary>
    private static void WriteCompletionLogprobs(Utf8JsonWriter json, ModelTokenizer tokenizer, IReadOnlyList<PlacedLogprobs> logprobs)
    {
        json.WriteStartObject("logprobs");
        json.WriteStartArray("tokens");
        foreach (var (value, _) in logprobs) json.WriteStringValue(TokenSpelling.Text(tokenizer, value.Token));
        json.WriteEndArray();
        json.WriteStartArray("token_logprobs");
        foreach (var (value, _) in logprobs) json.WriteNumberValue(value.Logprob);
        json.WriteEndArray();
        json.WriteStartArray("top_logprobs");
        foreach (var (value, _) in logprobs)
        {
            json.WriteStartObject();
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var top in value.Top)
            {
                var text = TokenSpelling.Text(tokenizer, top.Token);
                if (written.Add(text)) json.WriteNumber(text, top.Logprob);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("text_offset");
        foreach (var (_, offset) in logprobs) json.WriteNumberValue(offset);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>OpenAI's finish reasons: a server shutting down ends the answer like a stop (OpenAI has no other).</summary>
    public static string FinishReason(GenerationResult result) => result.FinishReason == FinishReasons.Length ? "length" : "stop";

    /// <summary>An answer that made tool calls ends with "tool_calls", as OpenAI's do.</summary>
    public static string FinishReason(GenerationResult result, ParsedAnswer? answer) => answer is { Calls.Count: > 0 } ? "tool_calls" : FinishReason(result);

    /// <summary>Usage as OpenAI and vLLM write it; prompt_tokens_details.cached_tokens: prompt tokens the prefix cache held.</summary>
    public static void WriteUsage(Utf8JsonWriter json, int promptTokens, int completionTokens, int cachedTokens)
    {
        json.WriteStartObject("usage");
        json.WriteNumber("prompt_tokens", promptTokens);
        json.WriteNumber("completion_tokens", completionTokens);
        json.WriteNumber("total_tokens", promptTokens + completionTokens);
        json.WriteStartObject("prompt_tokens_details");
        json.WriteNumber("cached_tokens", cachedTokens);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary>The error answer: {"error":{"message","type","param","code"}}.</summary>
    public static IResult ErrorResult(HttpDoorError error) => new JsonBodyResult(output => WriteError(output, error), error.StatusCode);

    public static void WriteError(IBufferWriter<byte> output, HttpDoorError error)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        json.WriteStartObject("error");
        json.WriteString("message", error.Message);
        json.WriteString("type", error.Type);
        if (error.Param is null) json.WriteNull("param");
        else json.WriteString("param", error.Param);
        json.WriteString("code", error.Code);
        json.WriteEndObject();
        json.WriteEndObject();
    }
}
