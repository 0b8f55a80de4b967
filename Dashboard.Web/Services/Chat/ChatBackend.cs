namespace MlStack.Dashboard.Services.Chat;

public enum ChatBackendKind { MlStack, OpenAiCompatible }

/// <summary>One choice in the model picker: a generation model of MlStack's inference service, or a model behind an OpenAI-compatible endpoint.</summary>
public sealed record ChatBackend(
    ChatBackendKind Kind,
    string Model,
    string Source,
    string? Version = null,
    int? ContextLength = null,
    string? Description = null,
    string? EndpointName = null)
{
    /// <summary>Prompt characters assumed per token when the budget is worked out: small vocabularies (tiny-gpt) spend about this.</summary>
    public const double CharactersPerToken = 1.5;

    /// <summary>Room kept for the chat template's own tokens.</summary>
    public const int TemplateTokens = 48;

    public string Id => Kind == ChatBackendKind.MlStack ? $"mlstack/{Model}" : $"endpoint/{EndpointName}/{Model}";

    public string DisplayName => Version is null ? Model : $"{Model} (v{Version})";

    /// <summary>How many prompt characters fit beside the answer; endpoints whose context is unknown get a generous budget.</summary>
    public int PromptCharacterBudget(int maxNewTokens) => ContextLength is { } context
        ? Math.Max(200, (int)((context - maxNewTokens - TemplateTokens) * CharactersPerToken))
        : 24_000;
}
