using MlStack.VectorStore.Records;
using MlStack.VectorStore.Search;
using MlStack.VectorStore.Visibility;

namespace MlStack.VectorStore.UnitTests.Search;

public sealed class NearestCommittedChunksTests
{
    /// <summary>A collection in memory, nearest first, that records how many chunks each round asked for.</summary>
    private sealed class Neighbours(IEnumerable<ChunkMatch> nearestFirst)
    {
        private readonly List<ChunkMatch> _all = nearestFirst.ToList();
        public List<int> Asked { get; } = [];

        public Task<IReadOnlyList<ChunkMatch>> NearestAsync(int n, CancellationToken ct)
        {
            Asked.Add(n);
            return Task.FromResult<IReadOnlyList<ChunkMatch>>(_all.Take(n).ToList());
        }
    }

    private static IEnumerable<ChunkMatch> Chunks(string document, string version, int count, float firstDistance) =>
        Enumerable.Range(0, count).Select(i => new ChunkMatch(
            new StoredChunk(document, document + ".txt", version, RecordKeys.RevisionOf(document, version), i, i * 10, i * 10 + 10,
                $"{document} {version} chunk {i}", new Dictionary<string, string>()),
            firstDistance + i * 0.001f));

    private static Task<IReadOnlyList<ChunkMatch>> FindAsync(int k, Neighbours neighbours, params string[] committed) =>
        NearestCommittedChunks.FindAsync(k, new CommittedRevisions(committed), neighbours.NearestAsync, CancellationToken.None);

    [Fact]
    public async Task When_every_chunk_is_committed_one_round_of_a_few_more_than_k_answers()
    {
        var neighbours = new Neighbours(Chunks("a", "v1", 50, 0.1f));

        var found = await FindAsync(5, neighbours, "a@v1");

        Assert.Equal([NearestCommittedChunks.FirstRequest(5)], neighbours.Asked);
        Assert.True(NearestCommittedChunks.FirstRequest(5) > 5);
        Assert.Equal([0, 1, 2, 3, 4], found.Select(m => m.Chunk.ChunkIndex));
    }

    [Fact]
    public async Task Nearest_chunks_of_an_unfinished_ingest_are_passed_over_and_k_committed_chunks_come_back()
    {
        // 300 chunks of an ingest that has not committed lie nearer the query than any committed chunk.
        var neighbours = new Neighbours(Chunks("draft", "v1", 300, 0.01f).Concat(Chunks("a", "v1", 40, 0.5f)).Concat(Chunks("b", "v1", 40, 0.6f)));

        var found = await FindAsync(5, neighbours, "a@v1", "b@v1");

        Assert.Equal(5, found.Count);
        Assert.All(found, m => Assert.Equal("a", m.Chunk.DocumentId));
        Assert.Equal([0, 1, 2, 3, 4], found.Select(m => m.Chunk.ChunkIndex));
        Assert.True(neighbours.Asked.Count is > 1 and <= 4, string.Join(", ", neighbours.Asked));
        Assert.All(neighbours.Asked.Zip(neighbours.Asked.Skip(1)), p => Assert.InRange(p.Second, 2 * p.First, 8 * p.First));
    }

    [Fact]
    public async Task A_document_replaced_during_the_query_shows_only_the_version_its_view_names()
    {
        // v2 is being written (nearer the query), v1 is what the query's view of the manifest names.
        var neighbours = new Neighbours(Chunks("a", "v2", 30, 0.05f).Concat(Chunks("a", "v1", 12, 0.2f)));

        var found = await FindAsync(20, neighbours, "a@v1");

        Assert.Equal(12, found.Count);
        Assert.All(found, m => Assert.Equal("v1", m.Chunk.Version));
    }

    [Fact]
    public async Task With_fewer_committed_chunks_than_k_it_stops_when_chroma_has_no_more()
    {
        var neighbours = new Neighbours(Chunks("draft", "v1", 25, 0.01f).Concat(Chunks("a", "v1", 3, 0.5f)));

        var found = await FindAsync(5, neighbours, "a@v1");

        Assert.Equal(3, found.Count);
        Assert.True(neighbours.Asked[^1] > 28, "the last round asked for more than the collection holds");
    }

    [Fact]
    public async Task An_empty_answer_ends_the_search()
    {
        var neighbours = new Neighbours([]);

        Assert.Empty(await FindAsync(5, neighbours, "a@v1"));
        Assert.Single(neighbours.Asked);
    }

    [Theory]
    [InlineData(5, 9, 0, 68)]     // nothing committed seen: enough for k if one in nine were committed
    [InlineData(5, 9, 4, 18)]     // most committed already: at least double
    [InlineData(10, 15, 3, 75)]   // a fifth committed: enough for k at that share, with a margin
    [InlineData(50, 75, 0, 600)]  // at most eight times the last request
    public void Each_round_grows_by_the_share_of_committed_chunks_seen(int k, int asked, int committed, int next) =>
        Assert.Equal(next, NearestCommittedChunks.NextRequest(k, asked, committed));

    [Fact]
    public void The_request_size_never_overflows() =>
        Assert.Equal(int.MaxValue, NearestCommittedChunks.NextRequest(100, int.MaxValue / 2, 0));
}
