using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>The real service (MlStack.Testing's in-process host) on the shipped repository (tiny-gpt, tiny-llama), on CPU.</summary>
public class GenerationHost : InferenceHost
{
    protected virtual IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [];

    protected override IEnumerable<KeyValuePair<string, string?>> Settings => [new("Execution:Provider", "cpu"), .. GenerationSettings];

    public GeneratorCatalog Catalog => Services.GetRequiredService<GeneratorCatalog>();

    public ModelRepository Repository => Services.GetRequiredService<ModelRepository>();

    public GenerationMetrics Metrics => Services.GetRequiredService<GenerationMetrics>();

    public OrtSessionFactory Sessions => Services.GetRequiredService<OrtSessionFactory>();

    public Task<TextGeneration.TextGenerationClient> ClientAsync() => Task.FromResult(TextGeneration);

    public Task<GeneratorModel> TinyGptAsync() => ModelAsync("tiny-gpt");

    public Task<GeneratorModel> ModelAsync(string name) => Task.FromResult(Catalog.Resolve(name));

    /// <summary>Until every model has been tried, for fixtures whose readiness stays unhealthy by design.</summary>
    protected Task WaitUntilModelsTriedAsync() =>
        Polling.UntilAsync(() => Task.FromResult(Repository.StartupComplete), done => done, StartTimeout, TimeSpan.FromMilliseconds(50));
}

/// <summary>
/// The service over a temporary repository that a fixture composes, typically of tiny-gpt's weights under other names,
/// versions and model.json settings (<see cref="AddTinyGpt"/>). MiniLM is not installed there.
/// </summary>
public abstract class TemporaryRepositoryHost : GenerationHost
{
    private readonly TestDirectory _repository = new("mlstack-generators-");

    public override string RepositoryPath => _repository.Path;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [.. base.Settings, new("ModelRepository:InstallDefaultModel", "false")];

    /// <summary>Fills the repository before the service starts.</summary>
    protected abstract void Compose(string repository);

    public override Task InitializeAsync()
    {
        Compose(_repository.Path);
        return base.InitializeAsync();
    }

    /// <summary>A model with tiny-gpt's weights: every version folder links to the shipped one; model.json as given.</summary>
    protected static void AddTinyGpt(string repository, string name, string modelJson, params long[] versions)
    {
        var model = Directory.CreateDirectory(Path.Combine(repository, name)).FullName;
        File.WriteAllText(Path.Combine(model, "model.json"), modelJson);
        foreach (var version in versions.DefaultIfEmpty(1))
        {
            Directory.CreateSymbolicLink(Path.Combine(model, version.ToString(System.Globalization.CultureInfo.InvariantCulture)), RepositoryPaths.TinyGptVersionDirectory);
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _repository.Dispose();
    }
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
