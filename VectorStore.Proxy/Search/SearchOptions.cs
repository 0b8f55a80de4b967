using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Search;

/// <summary>Limits of a query.</summary>
public sealed class SearchOptions
{
    public const string SectionName = "VectorStore";

    [Range(1, 100)]
    public int MaxQueryResults { get; set; } = 100;

    [Range(1, 10_000)]
    public int MaxQueryChars { get; set; } = 4000;
}
