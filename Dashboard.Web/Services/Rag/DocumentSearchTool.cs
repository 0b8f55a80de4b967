using System.ComponentModel;
using System.Text;
using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.Services.Rag;

/// <summary>
/// The chat's search tool over one collection, as the .NET AI chat template gives its model one: the model calls it
/// with a query (through Microsoft.Extensions.AI's FunctionInvokingChatClient) and gets numbered passages. Numbers
/// run on across the calls of one answer and name the same passage each time, so the answer cites them like [1] and
/// <see cref="Sources"/> lists them in that order, as retrieve-then-prompt does. A search failure is told to the model
/// as the tool's result and kept in <see cref="Failure"/> for the page.
/// </summary>
public sealed class DocumentSearchTool
{
    public const string FunctionName = "search_documents";

    /// <summary>A passage's share of the tool result at most; the model's context must hold the answer too.</summary>
    private const int MaxPassageCharacters = 1_200;

    private readonly ISemanticSearch _search;
    private readonly string _collection;
    private readonly int _passageCount;
    private readonly List<Passage> _sources = [];
    private readonly StringBuilder _context = new();

    public DocumentSearchTool(ISemanticSearch search, string collection, int passageCount = RagService.DefaultPassageCount)
    {
        _search = search;
        _collection = collection;
        _passageCount = passageCount;
        Function = AIFunctionFactory.Create(SearchAsync, FunctionName,
            $"Searches the user's documents in the collection \"{collection}\" and returns the passages that match the query, numbered for citation.");
    }

    public AIFunction Function { get; }

    /// <summary>Every passage the model was given, numbered as it saw them.</summary>
    public IReadOnlyList<Passage> Sources => _sources;

    /// <summary>True once the model searched.</summary>
    public bool Searched { get; private set; }

    /// <summary>What the searches returned, as the "context used" panel shows it.</summary>
    public string Context => _context.ToString();

    /// <summary>Why the last search failed; null when none did.</summary>
    public string? Failure { get; private set; }

    private async Task<string> SearchAsync([Description("What to look for in the documents, in a few words")] string query, CancellationToken cancellationToken)
    {
        Searched = true;
        IReadOnlyList<Passage> found;
        try
        {
            found = await _search.SearchAsync(_collection, query, _passageCount, cancellationToken);
        }
        catch (BackendCallException ex)
        {
            Failure = ex.Message;
            return $"The search failed: {ex.Message}";
        }
        var result = new StringBuilder();
        foreach (var passage in found.Where(p => !string.IsNullOrWhiteSpace(p.Text)))
        {
            var number = _sources.FindIndex(p => p.DocumentName == passage.DocumentName && p.ChunkIndex == passage.ChunkIndex) + 1;
            if (number == 0)
            {
                var text = passage.Text.Trim();
                _sources.Add(passage with { Text = text.Length > MaxPassageCharacters ? text[..MaxPassageCharacters].TrimEnd() + "…" : text });
                number = _sources.Count;
            }
            if (result.Length > 0) result.Append("\n\n");
            result.Append('[').Append(number).Append("] ").Append(passage.DocumentName).Append('\n').Append(_sources[number - 1].Text);
        }
        var answer = result.Length > 0 ? result.ToString() : $"No passage of the documents in \"{_collection}\" matches \"{query}\".";
        _context.Append(_context.Length > 0 ? "\n\n" : "").Append("[tool ").Append(FunctionName).Append(": ").Append(query).Append("]\n").Append(answer);
        return answer;
    }
}
