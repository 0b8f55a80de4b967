using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.Services.Rag;

/// <param name="Question">The user's new message.</param>
/// <param name="History">Earlier turns, oldest first.</param>
/// <param name="SystemPrompt">The user's system prompt, if any.</param>
/// <param name="Collection">Answer from this collection's documents; null for a plain chat.</param>
/// <param name="CharacterBudget">Prompt characters that fit the model's context beside its answer.</param>
/// <param name="PassageCount">Passages to retrieve.</param>
/// <param name="SearchByToolCall">The model finds the collection's passages with the search tool instead of their being retrieved first.</param>
public sealed record PromptRequest(
    string Question,
    IReadOnlyList<ChatMessage> History,
    string? SystemPrompt,
    string? Collection,
    int CharacterBudget,
    int PassageCount = RagService.DefaultPassageCount,
    bool SearchByToolCall = false);

/// <summary>What is sent to the model, and what the page shows about it: the sources and the exact context.</summary>
public sealed record PreparedPrompt(IReadOnlyList<ChatMessage> Messages, IReadOnlyList<Passage> Sources, bool NoPassagesFound)
{
    /// <summary>Every message the model is given, as the "context used" panel shows it.</summary>
    public string ContextText => string.Join("\n\n", Messages.Select(m => $"[{m.Role.Value}]\n{m.Text}"));
}
