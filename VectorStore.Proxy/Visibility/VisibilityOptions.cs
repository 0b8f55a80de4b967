using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Visibility;

/// <summary>How fresh each proxy replica's view of the committed documents is kept.</summary>
public sealed class VisibilityOptions
{
    public const string SectionName = "VectorStore";

    /// <summary>
    /// The bound on staleness: a query re-reads its collection's commit stamp (one small Chroma call) when its view is
    /// older than this, so a document committed by any replica is visible to every query that starts this long after
    /// the commit returned. A replaced or deleted version's chunks stay in place for twice this long after the commit.
    /// </summary>
    [Range(10, 60_000)]
    public int RevisionCheckIntervalMilliseconds { get; set; } = 500;

    public TimeSpan RevisionCheckInterval => TimeSpan.FromMilliseconds(RevisionCheckIntervalMilliseconds);
}
