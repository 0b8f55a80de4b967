using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Inference.V2;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>A repository with tiny-gpt and a generator model whose weights are not ONNX; both load at start.</summary>
public sealed class RepositoryWithBrokenGenerator : TemporaryRepositoryHost
{
    public const string BrokenModel = "broken-gpt";

    /// <summary>Until the generators have been tried: readiness stays unhealthy by design.</summary>
    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    protected override void Compose(string repository)
    {
        AddTinyGpt(repository, "tiny-gpt", File.ReadAllText(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "..", "model.json")));
        var broken = Directory.CreateDirectory(Path.Combine(repository, BrokenModel, "1")).FullName;
        File.WriteAllText(Path.Combine(repository, BrokenModel, "model.json"), """{ "task": "text-generation" }""");
        File.WriteAllText(Path.Combine(broken, "model.onnx"), "these bytes are not an ONNX model");
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

/// <summary>Readiness follows the generator models: a configured one that failed keeps the server unready until unloaded.</summary>
public sealed class GeneratorReadinessTests(RepositoryWithBrokenGenerator host) : IClassFixture<RepositoryWithBrokenGenerator>
{
    [Fact]
    public async Task Readiness_follows_the_generator_models_as_they_are_unloaded_and_loaded()
    {
        var inference = host.Admin;
        Assert.False((await inference.ServerReadyAsync(new ServerReadyRequest())).Ready);

        await inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = RepositoryWithBrokenGenerator.BrokenModel });
        Assert.True((await inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        var health = await host.Http.GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("tiny-gpt/1 (text-generation", await health.Content.ReadAsStringAsync());

        await inference.RepositoryModelUnloadAsync(new RepositoryModelUnloadRequest { ModelName = "tiny-gpt" });
        Assert.True((await inference.ServerReadyAsync(new ServerReadyRequest())).Ready);
        Assert.False((await inference.ModelReadyAsync(new ModelReadyRequest { Name = "tiny-gpt" })).Ready);

        await inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "tiny-gpt" });
        Assert.True((await inference.ModelReadyAsync(new ModelReadyRequest { Name = "tiny-gpt" })).Ready);
        var (_, tokens, _) = await host.TextGeneration.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "The cat",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 2, IgnoreEos = true },
        }).CollectAsync();
        Assert.Equal(2, tokens.Count);
    }
}
