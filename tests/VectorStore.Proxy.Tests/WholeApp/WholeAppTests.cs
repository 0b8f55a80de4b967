extern alias apphost;

using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlStack.VectorStore.Tests.Infrastructure;
using MlStack.VectorStore.V1;
using Proto = MlStack.VectorStore.V1;

namespace MlStack.VectorStore.Tests.WholeApp;

/// <summary>
/// The whole MlStack app through Aspire (processes mode, its own state folder): the API key parameter reaches the
/// proxy, the proxy reaches Chroma and inference by discovery, and the data survives stopping and starting the app.
/// </summary>
public sealed class WholeAppTests
{
    private const string Key = "whole-app-test-key-0123456789abcdef";

    [Fact]
    public async Task Documents_survive_a_restart_of_the_whole_app()
    {
        var state = Directory.CreateTempSubdirectory("mlstack-vectors-app-").FullName;
        try
        {
            string collection;
            QueryResponse before;
            await using (var app = await StartAsync(state))
            {
                var client = Client(app, Key);
                var denied = await Assert.ThrowsAsync<RpcException>(async () => await Client(app, "not-the-key-0123456789").ListCollectionsAsync(new()));
                Assert.Equal(StatusCode.Unauthenticated, denied.StatusCode);

                collection = await client.NewCollectionAsync("app");
                await client.IngestAsync(collection, "sourdough.txt", Infrastructure.Documents.PlainText);
                await client.IngestAsync(collection, "solar-power.md", Infrastructure.Documents.Markdown);
                before = await client.AskAsync(collection, "How long should sourdough dough ferment in bulk?");
                Assert.Equal("sourdough.txt", before.Results[0].DocumentName);
            }

            await using (var app = await StartAsync(state))
            {
                var client = Client(app, Key);
                var counts = await client.CountsAsync(collection);
                Assert.Equal(2, counts.DocumentCount);
                var after = await client.AskAsync(collection, "How long should sourdough dough ferment in bulk?");
                Assert.Equal(before.Results.Select(r => (r.DocumentName, r.ChunkIndex)), after.Results.Select(r => (r.DocumentName, r.ChunkIndex)));
            }
        }
        finally
        {
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<DistributedApplication> StartAsync(string state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<apphost::Projects.AppHost>(
            ["MlStack:Runtime=processes", $"MlStack:StateDirectory={state}", $"Parameters:vectors-api-key={Key}"], timeout.Token);
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical";
        var app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        await app.ResourceNotifications.WaitForResourceHealthyAsync("vectors", timeout.Token);
        return app;
    }

    private static Proto.VectorStore.VectorStoreClient Client(DistributedApplication app, string key)
    {
        var channel = GrpcChannel.ForAddress(app.GetEndpoint("vectors", "grpc"));
        return new Proto.VectorStore.VectorStoreClient(channel.CreateCallInvoker().Intercept(metadata =>
        {
            metadata.Add("authorization", $"Bearer {key}");
            return metadata;
        }));
    }
}
