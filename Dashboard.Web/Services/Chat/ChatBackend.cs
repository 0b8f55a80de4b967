using System.Text;
using Microsoft.Extensions.AI;

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
    /// <summary>Room kept for the chat template's own tokens around the whole prompt (start of text, the assistant's turn).</summary>
    public const int TemplateTokens = 48;

    /// <summary>Room kept for the template's tokens around each message (role markers, separators).</summary>
    public const int MessageTemplateTokens = 32;

    public string Id => Kind == ChatBackendKind.MlStack ? $"mlstack/{Model}" : $"endpoint/{EndpointName}/{Model}";

    public string DisplayName => Version is null ? Model : $"{Model} (v{Version})";

    /// <summary>
    /// How many prompt characters the prompt may take: at least half the context stays the prompt's whatever max new
    /// tokens says (the answer is then clamped to what the prompt leaves). Endpoints whose context is unknown get a generous budget.
    /// </summary>
    public int PromptCharacterBudget(int maxNewTokens) => ContextLength is { } context
        ? Math.Max(200, context - Math.Min(maxNewTokens, context / 2) - TemplateTokens)
        : 24_000;

    /// <summary>
    /// The most tokens the prompt can take: the models' tokenizers are byte-level (a token is at least one byte of
    /// UTF-8), so the prompt's bytes plus the template's room bound its token count from above.
    /// </summary>
    public static int PromptTokenBound(IEnumerable<ChatMessage> prompt) =>
        TemplateTokens + prompt.Sum(m => Encoding.UTF8.GetByteCount(m.Text) + MessageTemplateTokens);

    /// <summary>
    /// Max new tokens clamped to the context the prompt leaves, so a value the settings offered never ends in the
    /// server's "exceeds the context" error; null when the prompt leaves no room to answer. Unknown contexts are not clamped.
    /// </summary>
    public int? FitMaxNewTokens(IReadOnlyList<ChatMessage> prompt, int requested)
    {
        if (ContextLength is not { } context)
        {
            return requested;
        }
        var room = context - PromptTokenBound(prompt);
        return room < 1 ? null : Math.Min(requested, room);
    }
}
