namespace MlStack.VectorStore.Visibility;

/// <summary>
/// One consistent view of a collection's committed revisions ("document@version", one per document). A query keeps
/// the same view through all its rounds, so it never mixes two versions of a document.
/// </summary>
public sealed class CommittedRevisions(IEnumerable<string> revisions)
{
    public static CommittedRevisions None { get; } = new([]);

    private readonly HashSet<string> _revisions = new(revisions, StringComparer.Ordinal);

    public int Count => _revisions.Count;

    public bool Contains(string revision) => _revisions.Contains(revision);
}
