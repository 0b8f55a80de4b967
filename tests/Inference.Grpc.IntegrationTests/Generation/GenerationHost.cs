using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>The real service (MlStack.Testing's in-process host) on the shipped repository (tiny-gpt), on CPU.</summary>
public class GenerationHost : InferenceHost
{
    protected virtual IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Execution:Provider", "cpu"), .. GenerationSettings];

    public GeneratorCatalog Catalog => Services.GetRequiredService<GeneratorCatalog>();

    public ModelRepository Repository => Services.GetRequiredService<ModelRepository>();

    public GenerationMetrics Metrics => Services.GetRequiredService<GenerationMetrics>();

    public Task<TextGeneration.TextGenerationClient> ClientAsync() => Task.FromResult(TextGeneration);

    public Task<GeneratorModel> TinyGptAsync() => Task.FromResult(Catalog.Resolve("tiny-gpt"));

    /// <summary>Until every model has been tried, for fixtures whose readiness stays unhealthy by design.</summary>
    protected Task WaitUntilModelsTriedAsync() =>
        Polling.UntilAsync(() => Task.FromResult(Repository.StartupComplete), done => done, StartTimeout, TimeSpan.FromMilliseconds(50));
}

/// <summary>One sequence at a time and no queue: the second concurrent request is refused.</summary>
public sealed class SingleSlotGenerationHost : GenerationHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
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
