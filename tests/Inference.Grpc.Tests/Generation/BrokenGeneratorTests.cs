using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.Tests.Generation;

/// <summary>A repository with the shipped tiny-gpt and a generator model whose weights are not ONNX.</summary>
public sealed class RepositoryWithBrokenGenerator : GenerationHost
{
    public const string BrokenModel = "broken-gpt";

    private readonly string _repository = CreateRepository();

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ModelRepository:Path", _repository),
        new("ModelRepository:InstallDefaultModel", "false"),
    ];

    private static string CreateRepository()
    {
        var repository = Directory.CreateTempSubdirectory("mlstack-generators-").FullName;
        Directory.CreateDirectory(Path.Combine(repository, "tiny-gpt"));
        File.Copy(Path.Combine(ShippedModelDirectory, "..", "model.json"), Path.Combine(repository, "tiny-gpt", "model.json"));
        Directory.CreateSymbolicLink(Path.Combine(repository, "tiny-gpt", "1"), ShippedModelDirectory);

        var broken = Directory.CreateDirectory(Path.Combine(repository, BrokenModel, "1")).FullName;
        File.WriteAllText(Path.Combine(repository, BrokenModel, "model.json"), """{ "task": "text-generation" }""");
        File.WriteAllText(Path.Combine(broken, "model.onnx"), "these bytes are not an ONNX model");
        return repository;
    }

    public override async ValueTask DisposeAsync()
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

        var health = await host.CreateClient().GetStringAsync("/alive");
        Assert.Contains("Healthy", health);
        var readiness = await host.CreateClient().GetAsync("/health");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
        Assert.Contains(RepositoryWithBrokenGenerator.BrokenModel, await readiness.Content.ReadAsStringAsync());
    }
}
