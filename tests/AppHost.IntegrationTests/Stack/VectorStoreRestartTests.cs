extern alias vectors;

using Grpc.Core;
using Grpc.Net.Client;
using MlStack.Testing;
using MlStack.Testing.VectorStore;
using vectors::MlStack.VectorStore.V1;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>
/// The whole MlStack app through Aspire (processes mode, its own state folder): the API key parameter reaches the
/// proxy, the proxy reaches Chroma and inference by discovery, and the data survives stopping and starting the app.
/// </summary>
[Collection("Vector store restart")]
public sealed class VectorStoreRestartTests
{
    private const string Key = "whole-app-test-key-0123456789abcdef";
    private const string Question = "How long should sourdough dough ferment in bulk?";

    [Fact]
    public async Task Documents_survive_a_restart_of_the_whole_app()
    {
        var keySetting = $"Parameters:vectors-api-key={Key}";
        string collection;
        QueryResponse before;
        var first = await StackApp.StartAsync(settings: keySetting);
        try
        {
            using var channel = GrpcChannel.ForAddress(first.Endpoint("vectors", "grpc"));
            var client = StoreCalls.Client(channel, Key);
            var denied = await Assert.ThrowsAsync<RpcException>(async () =>
                await StoreCalls.Client(channel, "not-the-key-0123456789").ListCollectionsAsync(new()));
            Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);

            collection = await client.NewCollectionAsync("app");
            await client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText);
            await client.IngestAsync(collection, "solar-power.md", TestDocuments.Markdown);
            before = await client.AskAsync(collection, Question);
            Assert.Equal("sourdough.txt", before.Results[0].DocumentName);
            await first.DisposeAsync();

            await using var second = await StackApp.StartAsync(first.StateDirectory, keySetting);
            using var again = GrpcChannel.ForAddress(second.Endpoint("vectors", "grpc"));
            var restarted = StoreCalls.Client(again, Key);
            var counts = await restarted.CountsAsync(collection);
            Assert.Equal(2, counts.DocumentCount);
            var after = await restarted.AskAsync(collection, Question);
            Assert.Equal(before.Results.Select(r => (r.DocumentName, r.ChunkIndex)), after.Results.Select(r => (r.DocumentName, r.ChunkIndex)));
        }
        finally
        {
            await first.DisposeAsync();
            await LocalProcesses.WaitUntilNoneMentionAsync(first.StateDirectory, TimeSpan.FromSeconds(30));
            first.DeleteState();
        }
    }
}
