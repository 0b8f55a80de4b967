using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Visibility;

/// <summary>How fresh each proxy replica's view of the committed documents is kept.</summary>
public sealed class VisibilityOptions
{
    public const string SectionName = "VectorStore";

    /// <summary>
    /// The bound on staleness ("00:00:00.500"): a query re-reads its collection's commit stamp (one small Chroma call)
    /// when its view is older than this, so a document committed through any replica is visible to every query that
    /// starts this long after the commit returned. A replaced or deleted version's chunks stay for twice this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan RevisionCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);
}
