using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Generation.ToolCalls;

namespace MlStack.Inference.Generation;

/// <summary>
/// A generation request as every door states it (the gRPC TextGeneration service today): which model and version,
/// a raw prompt or chat messages, and the sampling parameters. <see cref="TextGenerator.Start"/> takes it.
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>The model's name; empty: Generation:DefaultModel, else the first generator by name.</summary>
    public string? Model { get; init; }

    /// <summary>A version to use; empty: the model's version_weights decide (sticky per <see cref="ConversationKey"/>).</summary>
    public string? Version { get; init; }

    /// <summary>Requests with the same key go to the same version while the weights stay; empty: drawn by weight.</summary>
    public string? ConversationKey { get; init; }

    /// <summary>A raw prompt to continue; ignored when <see cref="Messages"/> are given.</summary>
    public string? Prompt { get; init; }

    /// <summary>A conversation the model's chat template renders, ending with the assistant's turn.</summary>
    public IReadOnlyList<ChatTurn>? Messages { get; init; }

    public RequestedParameters Parameters { get; init; } = new();

    /// <summary>
    /// Keeps this caller's prefix-cache blocks apart: only requests with the same salt share cached prompt blocks;
    /// null or empty: unsalted (shared with every other unsalted request).
    /// </summary>
    public string? CacheSalt { get; init; }

    /// <summary>Functions the model may call; the model's chat template shows them to it (chat messages only).</summary>
    public IReadOnlyList<ToolDefinition>? Tools { get; init; }

    /// <summary>How the model may use <see cref="Tools"/>: auto unless stated.</summary>
    public ToolChoice ToolChoice { get; init; } = ToolChoice.Auto;

    /// <summary>The end user the caller names (OpenAI's user): kept on the trace only; it changes no output.</summary>
    public string? User { get; init; }

    /// <summary>What the output must be (response_format, a required or named tool choice); null: free text.</summary>
    public Constraints.OutputConstraint? Constraint { get; init; }
}

/// <summary>
/// One chat message: role system, user, assistant or tool. An assistant's message may carry the calls it made; a tool
/// message answers the call <see cref="ToolCallId"/> (of the function <see cref="Name"/>, where the caller gives it).
/// </summary>
public sealed record ChatTurn(string Role, string Content)
{
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    public string? ToolCallId { get; init; }

    public string? Name { get; init; }

    /// <summary>
    /// The message as chat templates take it (as transformers and vLLM pass OpenAI's messages): tool_calls as
    /// [{id, type, function: {name, arguments}}] with the arguments as a JSON object (templates write them with tojson).
    /// </summary>
    public Dictionary<string, object?> ToTemplateValue()
    {
        var message = new Dictionary<string, object?> { ["role"] = Role, ["content"] = Content };
        if (ToolCalls is { Count: > 0 } calls)
        {
            message["tool_calls"] = calls.Select(call => (object?)new Dictionary<string, object?>
            {
                ["id"] = call.Id,
                ["type"] = "function",
                ["function"] = new Dictionary<string, object?> { ["name"] = call.Name, ["arguments"] = ArgumentsValue(call.Arguments) },
            }).ToList();
        }
        if (ToolCallId is not null) message["tool_call_id"] = ToolCallId;
        if (Name is not null) message["name"] = Name;
        return message;
    }

    /// <summary>The bytes of text the message brings to the prompt (bounded by Generation:MaxPromptBytes).</summary>
    public long TextBytes()
    {
        var utf8 = System.Text.Encoding.UTF8;
        long bytes = utf8.GetByteCount(Content) + utf8.GetByteCount(Role) + utf8.GetByteCount(ToolCallId ?? "") + utf8.GetByteCount(Name ?? "");
        foreach (var call in ToolCalls ?? []) bytes += utf8.GetByteCount(call.Name) + utf8.GetByteCount(call.Arguments) + utf8.GetByteCount(call.Id);
        return bytes;
    }

    private static object? ArgumentsValue(string arguments)
    {
        try
        {
            return TemplateValues.FromJson(arguments) is Dictionary<string, object?> value ? value : arguments;
        }
        catch (System.Text.Json.JsonException)
        {
            return arguments; // not JSON: the template gets the text as it was sent
        }
    }
}

/// <summary>
/// Sampling parameters as the caller gave them; null takes the model's generation_config.json, then the service's
/// defaults (<see cref="GenerationRequestValidator"/>).
/// </summary>
public sealed record RequestedParameters
{
    public int? MaxNewTokens { get; init; }
    public float? Temperature { get; init; }
    public float? TopP { get; init; }
    public int? TopK { get; init; }
    public float? RepetitionPenalty { get; init; }
    public ulong? Seed { get; init; }
    public IReadOnlyList<string> Stop { get; init; } = [];
    public bool IgnoreEos { get; init; }

    /// <summary>OpenAI's presence_penalty and frequency_penalty, -2..2, over the generated tokens.</summary>
    public float? PresencePenalty { get; init; }
    public float? FrequencyPenalty { get; init; }

    /// <summary>Token id to a bias added to its logit, -100..100; ids outside the vocabulary are refused.</summary>
    public IReadOnlyDictionary<int, float>? LogitBias { get; init; }

    /// <summary>Return each generated token's logprob; <see cref="TopLogprobs"/> alternatives with it (0..20).</summary>
    public bool Logprobs { get; init; }
    public int? TopLogprobs { get; init; }

    /// <summary>OpenAI's n: choices generated from one prefill of the prompt (1 when unset).</summary>
    public int? Choices { get; init; }
}
