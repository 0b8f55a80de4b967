using System.Text.Json.Nodes;
using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>
/// tiny-llama's folder with tokenizer.json as its only tokenizer file (no vocab.json + merges.txt), as hub exports of
/// Llama 3.x, Gemma, DeepSeek and gpt-oss come; and a copy whose tokenizer.json has a pre-tokenizer the server does not
/// implement, which must fail alone.
/// </summary>
public sealed class RepositoryWithTokenizerJsonOnly : TemporaryRepositoryHost
{
    public const string JsonOnly = "tiny-llama-json";
    public const string Unsupported = "tiny-llama-unsupported";

    /// <summary>Until the generators have been tried: readiness stays unhealthy by design (one cannot load).</summary>
    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    protected override void Compose(string repository)
    {
        var source = RepositoryPaths.GeneratorVersionDirectory("tiny-llama");
        foreach (var name in new[] { JsonOnly, Unsupported })
        {
            var version = Directory.CreateDirectory(Path.Combine(repository, name, "1")).FullName;
            File.Copy(Path.Combine(source, "..", "model.json"), Path.Combine(repository, name, "model.json"));
            foreach (var file in Directory.EnumerateFiles(source))
            {
                var fileName = Path.GetFileName(file);
                if (fileName is "vocab.json" or "merges.txt") continue;
                if (fileName == "model.onnx") File.CreateSymbolicLink(Path.Combine(version, fileName), file);
                else File.Copy(file, Path.Combine(version, fileName));
            }
        }
        var unsupported = Path.Combine(repository, Unsupported, "1", "tokenizer.json");
        var json = JsonNode.Parse(File.ReadAllText(unsupported))!;
        json["pre_tokenizer"] = JsonNode.Parse("""{"type":"UnicodeScripts"}""");
        File.WriteAllText(unsupported, json.ToJsonString());
    }
}

public sealed class TokenizerJsonModelTests(RepositoryWithTokenizerJsonOnly host) : IClassFixture<RepositoryWithTokenizerJsonOnly>
{
    [Fact]
    public async Task A_model_folder_with_only_tokenizer_json_serves_the_reference_ids()
    {
        var client = await host.ClientAsync();
        var file = ReferenceGenerationTests.Load("tiny-llama");
        var model = await host.ModelAsync(RepositoryWithTokenizerJsonOnly.JsonOnly);
        Assert.False(File.Exists(Path.Combine(model.Directory, "vocab.json")));
        foreach (var reference in file.References.Where(r => r.Messages is null))
        {
            Assert.Equal(reference.PromptIds, model.Tokenizer.Encode(reference.Prompt));
            var (_, tokens, _) = await client.Generate(new GenerateRequest
            {
                Model = RepositoryWithTokenizerJsonOnly.JsonOnly,
                Prompt = reference.Prompt,
                Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = file.MaxNewTokens },
            }).CollectAsync();
            Assert.Equal(reference.GeneratedIds, tokens);
        }
    }

    [Fact]
    public async Task A_tokenizer_json_with_an_unsupported_component_fails_that_model_alone_naming_it()
    {
        var client = await host.ClientAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.Generate(new GenerateRequest { Model = RepositoryWithTokenizerJsonOnly.Unsupported, Prompt = "Hi" }).CollectAsync());

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("unsupported pre_tokenizer 'UnicodeScripts'", error.Status.Detail);
        Assert.NotNull(await host.ModelAsync(RepositoryWithTokenizerJsonOnly.JsonOnly));
    }
}
