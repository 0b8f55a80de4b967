using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>A repository with the shipped tiny-gpt and a generator model whose weights are not ONNX.</summary>
public sealed class RepositoryWithBrokenGenerator : GenerationHost
{
    public const string BrokenModel = "broken-gpt";

    private readonly string _repository = CreateRepository();

    public override string RepositoryPath => _repository;

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [new("ModelRepository:InstallDefaultModel", "false")];

    /// <summary>Until the generators have been tried: readiness stays unhealthy by design.</summary>
    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    private static string CreateRepository()
    {
        var repository = Directory.CreateTempSubdirectory("mlstack-generators-").FullName;
        Directory.CreateDirectory(Path.Combine(repository, "tiny-gpt"));
        File.Copy(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "..", "model.json"), Path.Combine(repository, "tiny-gpt", "model.json"));
        Directory.CreateSymbolicLink(Path.Combine(repository, "tiny-gpt", "1"), RepositoryPaths.TinyGptVersionDirectory);

        var broken = Directory.CreateDirectory(Path.Combine(repository, BrokenModel, "1")).FullName;
        File.WriteAllText(Path.Combine(repository, BrokenModel, "model.json"), """{ "task": "text-generation" }""");
        File.WriteAllText(Path.Combine(broken, "model.onnx"), "these bytes are not an ONNX model");
        return repository;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_repository, recursive: true);
    }
}

public sealed class BrokenGeneratorTests(RepositoryWithBrokenGenerator host) : IClassFixture<RepositoryWithBrokenGenerator>
{
    [Fact]
    public async Task A_generator_that_cannot_load_is_unavailable_while_the_others_serve()
    {
        var client = await host.ClientAsync();

        var (text, tokens, _) = await client.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The cat",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 4, IgnoreEos = true },
        }).CollectAsync();
        Assert.Equal(4, tokens.Count);
        Assert.False(string.IsNullOrEmpty(text));

        var error = await Assert.ThrowsAsync<RpcException>(() => 
            client.Generate(new GenerateRequest { Model = RepositoryWithBrokenGenerator.BrokenModel, Prompt = "Hi" }).CollectAsync());
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.StartsWith($"Model '{RepositoryWithBrokenGenerator.BrokenModel}' failed to load: ", error.Status.Detail);

        var health = await host.Http.GetStringAsync("/alive");
        Assert.Contains("Healthy", health);
        var readiness = await host.Http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Contains(RepositoryWithBrokenGenerator.BrokenModel, await readiness.Content.ReadAsStringAsync());
    }
}
