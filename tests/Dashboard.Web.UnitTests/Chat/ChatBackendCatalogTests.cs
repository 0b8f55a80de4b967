using Grpc.Core;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

public sealed class ChatBackendCatalogTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("mlstack-catalog-").FullName;
    private readonly ScriptedGeneration inference = new();
    private readonly ChatEndpointStore endpoints;

    public ChatBackendCatalogTests()
    {
        var data = new AppDataFolder(Options.Create(new AppDataOptions { DataDirectory = folder }), new TestHostEnvironment(folder));
        endpoints = new ChatEndpointStore(data, new EphemeralDataProtectionProvider(), Options.Create(new ChatEndpointOptions
        {
            ChatEndpoints = [new ChatEndpoint { Name = "ollama", BaseAddress = new Uri("http://localhost:11434/v1"), Model = "llama3.2" }],
        }));
    }

    [Fact]
    public async Task Lists_every_generation_model_with_its_version_and_the_endpoints()
    {
        await endpoints.AddAsync(new ChatEndpoint { Name = "other mlstack", BaseAddress = new Uri("http://gpu-box:8080/v1"), Model = "qwen", ApiKey = "k" },
            CancellationToken.None);
        var list = await new ChatBackendCatalog(inference.Client, endpoints, NullLogger<ChatBackendCatalog>.Instance).ListAsync(CancellationToken.None);

        Assert.Null(list.InferenceProblem);
        Assert.Equal(["mlstack/tiny-gpt", "endpoint/ollama/llama3.2", "endpoint/other mlstack/qwen"], list.Backends.Select(b => b.Id));
        Assert.Equal("tiny-gpt (v1)", list.Backends[0].DisplayName);
        Assert.Equal(1024, list.Backends[0].ContextLength);
    }

    [Fact]
    public async Task An_inference_service_that_is_down_leaves_the_endpoints_and_says_why()
    {
        inference.ListModelsFails = StatusCode.Unavailable;
        var list = await new ChatBackendCatalog(inference.Client, endpoints, NullLogger<ChatBackendCatalog>.Instance).ListAsync(CancellationToken.None);

        Assert.Equal("The inference service cannot be reached right now.", list.InferenceProblem);
        Assert.Equal(["endpoint/ollama/llama3.2"], list.Backends.Select(b => b.Id));
    }

    [Fact]
    public async Task Added_endpoints_keep_their_key_encrypted_on_disk()
    {
        await endpoints.AddAsync(new ChatEndpoint { Name = "vllm", BaseAddress = new Uri("http://vllm:8000/v1"), Model = "m", ApiKey = "secret-key-123" },
            CancellationToken.None);

        Assert.DoesNotContain("secret-key-123", await File.ReadAllTextAsync(Path.Combine(folder, ChatEndpointStore.FileName)));
        Assert.Equal("secret-key-123", (await endpoints.FindAsync("VLLM", CancellationToken.None))!.ApiKey);
        await Assert.ThrowsAsync<ArgumentException>(() => endpoints.AddAsync(
            new ChatEndpoint { Name = "vllm", BaseAddress = new Uri("http://x/v1"), Model = "m" }, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => endpoints.AddAsync(
            new ChatEndpoint { Name = "ftp", BaseAddress = new Uri("ftp://x/v1"), Model = "m" }, CancellationToken.None));
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
