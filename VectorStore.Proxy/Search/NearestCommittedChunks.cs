using MlStack.VectorStore.Records;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.Search;

/// <summary>
/// The k nearest committed chunks, found without asking Chroma to filter on revisions (Chroma evaluates a where
/// clause by scanning the collection): ask for a few more than k nearest chunks, drop those whose revision is not
/// committed, and ask again for more only when fewer than k remain. Every round is judged against the same
/// <see cref="CommittedRevisions"/>, so one answer never mixes two versions of a document.
/// </summary>
public static class NearestCommittedChunks
{
    /// <summary>
    /// Extra chunks asked for in the first round beyond k: this many, or a quarter of k. Few, because Chroma's work
    /// grows with every chunk it returns, and while no ingest writes near the query every nearest chunk is committed.
    /// </summary>
    public const int MinExtra = 2;

    // Bounds how far one round may jump ahead of the last, so an estimate from few committed chunks cannot ask Chroma
    // for far more than the collection holds.
    private const int MaxGrowth = 8;

    /// <summary>The n chunks nearest the query (that also match the caller's filter), nearest first.</summary>
    public delegate Task<IReadOnlyList<ChunkMatch>> NearestAsync(int n, CancellationToken ct);

    public static async Task<IReadOnlyList<ChunkMatch>> FindAsync(int k, CommittedRevisions committed, NearestAsync nearest, CancellationToken ct)
    {
        var asked = FirstRequest(k);
        while (true)
        {
            var found = await nearest(asked, ct);
            var kept = found.Where(m => committed.Contains(m.Chunk.Revision)).Take(k).ToList();
            // Fewer found than asked for: Chroma has nothing more to give.
            if (kept.Count == k || found.Count < asked) return kept;
            asked = NextRequest(k, asked, kept.Count);
        }
    }

    public static int FirstRequest(int k) => k + Math.Max(MinExtra, k / 4);

    /// <summary>
    /// Enough for k committed chunks at the share of committed ones seen so far, with a margin; at least double the last
    /// request, at most <see cref="MaxGrowth"/> times it.
    /// </summary>
    public static int NextRequest(int k, int asked, int committedFound)
    {
        var share = Math.Max(committedFound, 1) / (double)asked;
        var estimate = Math.Ceiling(k / share * 1.5);
        var next = Math.Clamp(estimate, 2.0 * asked, (double)MaxGrowth * asked);
        return (int)Math.Min(next, int.MaxValue);
    }
}
