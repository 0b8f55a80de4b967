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

    /// <summary>What the output must be (response_format, a required or named tool choice); null: free text.</summary>
    public Constraints.OutputConstraint? Constraint { get; init; }
}

/// <summary>One chat message: role system, user, assistant or tool.</summary>
public sealed record ChatTurn(string Role, string Content);

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
}
