using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Search;

/// <summary>Limits of a query, its metadata filter included.</summary>
public sealed class SearchOptions
{
    public const string SectionName = "VectorStore";

    [Range(1, 100)]
    public int MaxQueryResults { get; set; } = 100;

    [Range(1, 10_000)]
    public int MaxQueryChars { get; set; } = 4000;

    /// <summary>Largest filter JSON accepted, in UTF-8 bytes.</summary>
    [Range(64, 1024 * 1024)]
    public int MaxFilterBytes { get; set; } = 8192;

    /// <summary>Deepest nesting of $and/$or in a filter.</summary>
    [Range(1, 32)]
    public int MaxFilterDepth { get; set; } = 8;

    /// <summary>Most key conditions in one filter, across every $and/$or branch.</summary>
    [Range(1, 1000)]
    public int MaxFilterConditions { get; set; } = 32;

    /// <summary>Most values in one filter's $in/$nin lists together.</summary>
    [Range(1, 10_000)]
    public int MaxFilterValues { get; set; } = 256;
}
