using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Inference.V1;

namespace MlStack.Inference.Tests.Generation;

/// <summary>
/// Inference.Grpc hosted in-process on the default model repository (Inference.Grpc/models, which ships
/// tiny-gpt), on CPU, with a gRPC client over the test server's handler.
/// </summary>
public class GenerationHost : WebApplicationFactory<Program>
{
    public static string ShippedModelDirectory =>
        Path.Combine(FindRepositoryRoot(), "Inference.Grpc", "models", "tiny-gpt", "1");

    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Execution:Provider", "cpu");
        builder.UseSetting("ModelRepository:Path", Path.Combine(FindRepositoryRoot(), "Inference.Grpc", "models"));
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public GeneratorCatalog Catalog => Services.GetRequiredService<GeneratorCatalog>();

    public GenerationMetrics Metrics => Services.GetRequiredService<GenerationMetrics>();

    public async Task<TextGeneration.TextGenerationClient> ClientAsync()
    {
        _ = Server; // starts the host, and with it the background model loading
        await Catalog.WhenLoaded.WaitAsync(TimeSpan.FromMinutes(2));
        var channel = GrpcChannel.ForAddress(Server.BaseAddress, new GrpcChannelOptions { HttpHandler = Server.CreateHandler() });
        return new TextGeneration.TextGenerationClient(channel);
    }

    public async Task<GeneratorModel> TinyGptAsync()
    {
        await ClientAsync();
        return Catalog.Models["tiny-gpt"];
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MlStack.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("MlStack.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>One sequence at a time and no queue: the second concurrent request is refused.</summary>
public sealed class SingleSlotGenerationHost : GenerationHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("Generation:MaxConcurrentSequences", "1"),
        new("Generation:MaxWaitingRequests", "0"),
    ];
}

internal static class GenerationClientExtensions
{
    public static async Task<(string Text, List<int> Tokens, GenerationSummary Summary)> CollectAsync(
        this AsyncServerStreamingCall<GenerateResponse> call)
    {
        var text = new System.Text.StringBuilder();
        var tokens = new List<int>();
        GenerationSummary? summary = null;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            text.Append(message.Text);
            tokens.AddRange(message.TokenIds);
            summary ??= message.Summary;
        }
        return (text.ToString(), tokens, summary ?? throw new InvalidOperationException("the stream ended without a summary"));
    }
}
