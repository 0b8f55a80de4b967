using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Proto = MlStack.VectorStore.V1;

namespace MlStack.VectorStore.IntegrationTests.Infrastructure;

/// <summary>The real proxy in memory, pointed at a real Chroma and a real inference service.</summary>
public sealed class ProxyFactory(Uri chroma, Uri inference, IDictionary<string, string?>? settings = null) : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-0123456789abcdef";

    /// <summary>The inference service's API key the proxy sends on Embed calls (the fixture's service is started with it).</summary>
    public const string InferenceKey = "test-inference-key-0123456789";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration((_, config) =>
        {
            var values = new Dictionary<string, string?>
            {
                ["Chroma:BaseAddress"] = chroma.ToString(),
                ["Chroma:MaxRetryAttempts"] = "2",
                ["Chroma:RetryBaseDelayMilliseconds"] = "100",
                ["Chroma:AttemptTimeoutSeconds"] = "10",
                ["Chroma:TotalTimeoutSeconds"] = "20",
                ["services:inference:grpc:0"] = inference.ToString(),
                ["Vectors:ApiKey"] = ApiKey,
                ["Inference:ApiKey"] = InferenceKey,
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            };
            foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
            config.AddInMemoryCollection(values);
        });
    }

    /// <summary>A gRPC client over the in-memory server; key null sends no authorization header.</summary>
    public Proto.VectorStore.VectorStoreClient GrpcClient(string? key = ApiKey) =>
        StoreCalls.Client(GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions
        {
            HttpHandler = Server.CreateHandler(),
            MaxSendMessageSize = 64 * 1024 * 1024,
        }), key);

    /// <summary>An HTTP client; key null sends no authorization header.</summary>
    public HttpClient HttpClient(string? key = ApiKey)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return client;
    }
}
