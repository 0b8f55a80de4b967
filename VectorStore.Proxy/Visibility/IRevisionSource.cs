namespace MlStack.VectorStore.Visibility;

/// <summary>Where a collection's committed revisions are read from: its commit stamp (cheap) and the revisions themselves (the whole manifest).</summary>
public interface IRevisionSource
{
    /// <summary>The value every commit replaces with a fresh one; null while no commit has stamped the collection.</summary>
    Task<string?> ReadCommitStampAsync(CancellationToken ct);

    Task<CommittedRevisions> ReadRevisionsAsync(CancellationToken ct);
}
