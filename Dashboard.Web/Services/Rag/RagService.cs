using System.Text;
using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.Services.Rag;

/// <summary>
/// Retrieval and prompt building in one place, usable without the UI: finds the passages of a collection closest
/// to the question, puts them numbered into the system message, and fits the history into what remains of the
/// model's context (newest turns kept first). Without a collection it builds a plain chat prompt the same way. With
/// <see cref="PromptRequest.SearchByToolCall"/> the model searches instead, through <see cref="SearchTool"/>.
/// </summary>
public sealed class RagService(ISemanticSearch search)
{
    public const int DefaultPassageCount = 4;

    /// <summary>The share of the budget passages may use; the rest is the question, the history and the instructions.</summary>
    private const double PassageShare = 0.6;

    /// <summary>Passages shorter than this after trimming are not worth sending.</summary>
    private const int MinimumPassageCharacters = 80;

    public async Task<PreparedPrompt> PrepareAsync(PromptRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(request.Question);
        var question = new ChatMessage(ChatRole.User, request.Question.Trim());
        var budget = request.CharacterBudget - question.Text.Length;

        var system = new StringBuilder(request.SystemPrompt?.Trim() ?? "");
        IReadOnlyList<Passage> sources = [];
        var noPassages = false;
        if (!string.IsNullOrWhiteSpace(request.Collection) && request.SearchByToolCall)
        {
            // The model retrieves through the search tool (DocumentSearchTool); the prompt only says so.
            AppendSeparated(system, ToolInstruction(request.Collection));
        }
        else if (!string.IsNullOrWhiteSpace(request.Collection))
        {
            var found = await search.SearchAsync(request.Collection, question.Text, request.PassageCount, cancellationToken);
            var passageBudget = (int)(Math.Max(0, budget - system.Length) * PassageShare);
            sources = FitPassages(found, passageBudget);
            noPassages = sources.Count == 0;
            AppendSeparated(system, noPassages ? NoPassagesInstruction(request.Collection) : PassageInstruction(request.Collection, sources));
        }

        var messages = new List<ChatMessage>();
        if (system.Length > 0)
        {
            messages.Add(new ChatMessage(ChatRole.System, system.ToString()));
        }
        messages.AddRange(FitHistory(request.History, budget - system.Length));
        messages.Add(question);
        return new PreparedPrompt(messages, sources, noPassages);
    }

    /// <summary>The passage block of the system message; citations in answers refer to these numbers.</summary>
    public static string PassageInstruction(string collection, IReadOnlyList<Passage> passages)
    {
        var text = new StringBuilder()
            .Append("Answer using only the numbered passages below from the documents in \"").Append(collection)
            .Append("\". Cite passages by their number, like [1]. If they do not contain the answer, say so.");
        for (var i = 0; i < passages.Count; i++)
        {
            text.Append("\n\n[").Append(i + 1).Append("] ").Append(passages[i].DocumentName).Append('\n').Append(passages[i].Text.Trim());
        }
        return text.ToString();
    }

    /// <summary>The instruction of answers whose passages the model finds itself, with the search tool.</summary>
    public static string ToolInstruction(string collection) =>
        $"Answer from the user's documents in \"{collection}\": call the {DocumentSearchTool.FunctionName} tool to find passages before " +
        "answering. Cite passages by their number, like [1]. If they do not contain the answer, say so.";

    /// <summary>The search tool over a collection, for answers that find their passages by tool call.</summary>
    public DocumentSearchTool SearchTool(string collection, int passageCount = DefaultPassageCount) => new(search, collection, passageCount);

    public static string NoPassagesInstruction(string collection) =>
        $"No passage of the documents in \"{collection}\" matches this question (the collection may be empty). " +
        "Tell the user that their documents do not contain an answer.";

    private static List<Passage> FitPassages(IReadOnlyList<Passage> found, int budget)
    {
        var fitted = new List<Passage>();
        var remaining = budget;
        foreach (var passage in found.Where(p => !string.IsNullOrWhiteSpace(p.Text)))
        {
            // Header "[n] name\n" plus the blank line between passages.
            var room = remaining - passage.DocumentName.Length - 8;
            if (room < MinimumPassageCharacters)
            {
                break;
            }
            var text = passage.Text.Trim();
            if (text.Length > room)
            {
                text = text[..room].TrimEnd() + "…";
            }
            fitted.Add(passage with { Text = text });
            remaining -= text.Length + passage.DocumentName.Length + 8;
        }
        return fitted;
    }

    private static IEnumerable<ChatMessage> FitHistory(IReadOnlyList<ChatMessage> history, int budget)
    {
        var kept = new Stack<ChatMessage>();
        var used = 0;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            var message = history[i];
            if (string.IsNullOrWhiteSpace(message.Text) || message.Role == ChatRole.System)
            {
                continue;
            }
            used += message.Text.Length + 16;
            if (used > budget)
            {
                break;
            }
            kept.Push(message);
        }
        // A conversation sent to the model starts with the user's turn.
        while (kept.Count > 0 && kept.Peek().Role != ChatRole.User)
        {
            kept.Pop();
        }
        return kept;
    }

    private static void AppendSeparated(StringBuilder text, string part)
    {
        if (text.Length > 0)
        {
            text.Append("\n\n");
        }
        text.Append(part);
    }
}
