using System.Net;
using System.Text.Json.Nodes;
using MlStack.VectorStore.Chroma;

namespace MlStack.VectorStore.IntegrationTests.Chroma;

/// <summary>The typed client against a real Chroma server.</summary>
public sealed class ChromaClientTests : IAsyncLifetime
{
    private readonly ChromaServer _chroma = new();
    private ProxyFactory _proxy = null!;
    private ChromaClient _client = null!;

    public async Task InitializeAsync()
    {
        await _chroma.StartAsync();
        // No inference is needed for these calls; the address is never dialled.
        _proxy = new ProxyFactory(_chroma.BaseAddress, new Uri("http://127.0.0.1:9"), new Dictionary<string, string?>
        {
            ["Chroma:MaxRetryAttempts"] = "8",
            ["Chroma:RetryBaseDelayMilliseconds"] = "200",
            ["Chroma:TotalTimeoutSeconds"] = "60",
        });
        _client = _proxy.Services.GetRequiredService<ChromaClient>();
        await _client.EnsureDatabaseAsync(default);
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _chroma.DisposeAsync();
    }

    private static Dictionary<string, JsonNode?> Meta(params (string Key, JsonNode? Value)[] entries) =>
        entries.ToDictionary(e => e.Key, e => e.Value);

    [Fact]
    public async Task Records_round_trip_through_upsert_get_query_count_and_delete()
    {
        await _client.EnsureDatabaseAsync(default); // a second call is harmless
        var collection = await _client.GetOrCreateCollectionAsync("roundtrip", Meta(("hnsw:space", "cosine"), ("owner", "test")), default);
        Assert.Equal("test", collection.Metadata!["owner"]!.ToString());

        await _client.UpsertAsync(collection.Id,
        [
            new ChromaRecord("a", [1, 0, 0], "alpha", Meta(("doc", "x"), ("n", 1))),
            new ChromaRecord("b", [0, 1, 0], "beta", Meta(("doc", "y"), ("n", 2))),
            new ChromaRecord("c", [0, 0, 1], "gamma", Meta(("doc", "y"), ("n", 3))),
        ], default);
        // Upserting the same id again replaces, never duplicates.
        await _client.UpsertAsync(collection.Id, [new ChromaRecord("a", [1, 0, 0], "alpha2", Meta(("doc", "x"), ("n", 1)))], default);
        Assert.Equal(3, await _client.CountAsync(collection.Id, default));

        var query = await _client.QueryAsync(collection.Id, [0.9f, 0.1f, 0], 2, null, default);
        Assert.Equal(["a", "b"], query.Ids[0]);
        Assert.Equal("alpha2", query.Documents![0][0]);
        Assert.True(query.Distances![0][0] < query.Distances[0][1]);

        var filtered = await _client.QueryAsync(collection.Id, [0.9f, 0.1f, 0], 5, new JsonObject { ["doc"] = "y" }, default);
        Assert.Equal(2, filtered.Ids[0].Count);

        var got = await _client.GetAsync(collection.Id, new JsonObject { ["doc"] = "y" }, includeDocuments: true, default);
        Assert.Equal(["b", "c"], got.Ids.Order());
        Assert.Contains("gamma", got.Documents!);

        await _client.DeleteAsync(collection.Id, new JsonObject { ["doc"] = "y" }, default);
        Assert.Equal(1, await _client.CountAsync(collection.Id, default));
        await _client.DeleteIdsAsync(collection.Id, ["a"], default);
        Assert.Equal(0, await _client.CountAsync(collection.Id, default));
    }

    [Fact]
    public async Task Writes_larger_than_max_batch_size_are_split()
    {
        var max = await _client.GetMaxBatchSizeAsync(default);
        Assert.True(max > 0);
        var collection = await _client.GetOrCreateCollectionAsync("batches", Meta(("hnsw:space", "cosine")), default);
        var records = Enumerable.Range(0, max + 10)
            .Select(i => new ChromaRecord($"r{i}", [i % 7 + 1, i % 5 + 1], null, Meta(("i", i))))
            .ToList();

        await _client.UpsertAsync(collection.Id, records, default);

        Assert.Equal(max + 10, await _client.CountAsync(collection.Id, default));
        var all = await _client.GetAsync(collection.Id, null, includeDocuments: false, default);
        Assert.Equal(max + 10, all.Ids.Distinct().Count());
    }

    [Fact]
    public async Task Unknown_collections_and_refused_writes_are_reported()
    {
        Assert.Null(await _client.FindCollectionAsync("no-such-collection", default));
        Assert.False(await _client.DeleteCollectionAsync("no-such-collection", default));

        var collection = await _client.GetOrCreateCollectionAsync("dims", Meta(("hnsw:space", "cosine")), default);
        await _client.UpsertAsync(collection.Id, [new ChromaRecord("a", [1, 0, 0], null, Meta(("k", "v")))], default);
        var ex = await Assert.ThrowsAsync<ChromaException>(() =>
            _client.UpsertAsync(collection.Id, [new ChromaRecord("b", [1, 0], null, Meta(("k", "v")))], default));
        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.False(ex.IsUnavailable);
        Assert.Contains("dimension", ex.ChromaMessage);
    }

    [Fact]
    public async Task Calls_retry_with_backoff_until_chroma_is_back()
    {
        var collection = await _client.GetOrCreateCollectionAsync("retry", Meta(("hnsw:space", "cosine")), default);
        await _client.UpsertAsync(collection.Id, [new ChromaRecord("a", [1, 0], null, Meta(("k", "v")))], default);

        _chroma.Stop();
        var count = _client.CountAsync(collection.Id, default);
        await Task.Delay(1500);
        Assert.False(count.IsCompleted, "the call should still be retrying while Chroma is down");
        await _chroma.StartAsync();

        Assert.Equal(1, await count);
    }

    [Fact]
    public async Task A_call_fails_cleanly_when_chroma_stays_down()
    {
        await using var proxy = new ProxyFactory(_chroma.BaseAddress, new Uri("http://127.0.0.1:9"), new Dictionary<string, string?>
        {
            ["Chroma:MaxRetryAttempts"] = "1",
            ["Chroma:RetryBaseDelayMilliseconds"] = "50",
        });
        var client = proxy.Services.GetRequiredService<ChromaClient>();
        _chroma.Stop();

        var ex = await Assert.ThrowsAsync<ChromaException>(() => client.ListCollectionsAsync(default));
        Assert.True(ex.IsUnavailable);
        Assert.Null(ex.StatusCode);
    }
}
