using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>
/// A model that cannot embed is a precondition the caller must fix (FAILED_PRECONDITION / 409), not an outage
/// (UNAVAILABLE / 503): here the repository's shipped text-generation model, loaded by a real inference service beside
/// the embedding model.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class EmbeddingModelTests(StoreFixture store)
{
    [Fact]
    public async Task A_collection_for_a_model_that_is_not_an_embedding_model_is_a_failed_precondition()
    {
        var generator = RepositoryPaths.ShippedGeneratorModels[0];
        using var repository = new TestDirectory();
        // Links, not copies: the embedding model the fixture's inference installed, and a shipped generator.
        Directory.CreateSymbolicLink(Path.Combine(repository.Path, "all-MiniLM-L6-v2"), Path.Combine(InferenceProcess.SharedModelRepository, "all-MiniLM-L6-v2"));
        Directory.CreateSymbolicLink(Path.Combine(repository.Path, generator), Path.Combine(RepositoryPaths.DefaultModelRepository, generator));
        await using var inference = new InferenceProcess(new Dictionary<string, string>
        {
            ["ModelRepository:Path"] = repository.Path,
            ["ModelRepository:Models:0"] = "all-MiniLM-L6-v2",
            ["ModelRepository:Models:1"] = generator,
            ["Inference:ApiKey"] = ProxyFactory.InferenceKey,
        });
        await inference.StartAsync();
        await using var proxy = new ProxyFactory(store.Chroma.BaseAddress, inference.GrpcAddress);
        var client = proxy.GrpcClient();

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.CreateCollectionAsync(new CreateCollectionRequest { Name = StoreCalls.NewCollectionName("generator"), EmbeddingModel = generator }));
        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Contains($"the model '{generator}' cannot embed text", ex.Status.Detail);

        using var http = proxy.HttpClient();
        using var response = await http.PostAsJsonAsync("/v1/collections", new { name = StoreCalls.NewCollectionName("generator"), embeddingModel = generator });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("not an embedding model", (await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.ToString());

        // The embedding model beside it serves as before, through this proxy and the fixture's.
        var name = await client.NewCollectionAsync("beside");
        await client.IngestAsync(name, "sourdough.txt", TestDocuments.PlainText);
        Assert.NotEmpty((await client.AskAsync(name, "bread")).Results);
        await store.AssertServingAndIntactAsync(proxy);
    }
}
