using Grpc.Core;

namespace MlStack.VectorStore.IntegrationTests.Collections;

/// <summary>
/// A collection deleted through another replica while this one still holds it in its resolve cache: reads that reach
/// Chroma with the gone collection's id answer NOT_FOUND, as they would after the cache expired, never INTERNAL (found
/// by the proxy's fuzz test, where a GetCollection raced a DeleteCollection).
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class DeletedElsewhereTests(StoreFixture store)
{
    [Fact]
    public async Task Reads_of_a_collection_another_replica_deleted_are_not_found_and_the_name_can_be_used_again()
    {
        await using var hereProxy = store.NewProxy(new Dictionary<string, string?>());
        await using var elsewhereProxy = store.NewProxy(new Dictionary<string, string?>());
        var here = hereProxy.GrpcClient();
        var elsewhere = elsewhereProxy.GrpcClient();
        var collection = await here.NewCollectionAsync("gone-elsewhere");
        await here.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
        Assert.Equal(1, (await here.GetCollectionAsync(new GetCollectionRequest { Name = collection })).DocumentCount);
        Assert.NotEmpty((await here.AskAsync(collection, "How long does sourdough rise?", k: 1)).Results);

        await elsewhere.DeleteCollectionAsync(new DeleteCollectionRequest { Name = collection });

        var get = await Assert.ThrowsAsync<RpcException>(async () => await here.GetCollectionAsync(new GetCollectionRequest { Name = collection }));
        Assert.Equal(StatusCode.NotFound, get.StatusCode);
        var query = await Assert.ThrowsAsync<RpcException>(async () => await here.AskAsync(collection, "How long does sourdough rise?", k: 1));
        Assert.Equal(StatusCode.NotFound, query.StatusCode);

        // Created again elsewhere under the same name: this replica finds the new one at once.
        await elsewhere.CreateCollectionAsync(new CreateCollectionRequest { Name = collection });
        Assert.Equal(0, (await here.GetCollectionAsync(new GetCollectionRequest { Name = collection })).DocumentCount);
    }
}
