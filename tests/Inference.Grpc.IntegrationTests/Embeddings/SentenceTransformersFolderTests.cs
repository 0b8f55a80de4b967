using System.Text.Json;
using Grpc.Core;
using MlStack.Inference.IntegrationTests.Generation;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Embeddings;

/// <summary>
/// One small BERT-shaped model (tools/embedding-fixtures, random seeded weights) in sentence-transformers folders that
/// differ only in 1_Pooling/config.json, a Normalize module and their prompts.
/// </summary>
public sealed class SentenceTransformersRepository : TemporaryRepositoryHost
{
    public static string Fixtures => Path.Combine(AppContext.BaseDirectory, "Fixtures", "embeddings");

    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    protected override void Compose(string repository)
    {
        foreach (var (pooling, mode) in new[] { ("mean", "mean_tokens"), ("cls", "cls_token"), ("lasttoken", "lasttoken") })
        {
            foreach (var normalize in new[] { false, true })
            {
                var version = Directory.CreateDirectory(Path.Combine(repository, Name(pooling, normalize), "1")).FullName;
                File.WriteAllText(Path.Combine(version, "..", "model.json"),
                    """{ "task": "embedding", "tokenizer": { "vocab": "vocab.txt" }, "max_sequence_length": 64 }""");
                File.CreateSymbolicLink(Path.Combine(version, "model.onnx"), Path.Combine(Fixtures, "model.onnx"));
                File.CreateSymbolicLink(Path.Combine(version, "vocab.txt"), Path.Combine(Fixtures, "vocab.txt"));
                var modules = """[{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"}, {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}""" +
                    (normalize ? """, {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}]""" : "]");
                File.WriteAllText(Path.Combine(version, "modules.json"), modules);
                Directory.CreateDirectory(Path.Combine(version, "1_Pooling"));
                File.WriteAllText(Path.Combine(version, "1_Pooling", "config.json"),
                    $$"""{"word_embedding_dimension": 8, "pooling_mode_cls_token": {{Flag(mode == "cls_token")}}, "pooling_mode_mean_tokens": {{Flag(mode == "mean_tokens")}}, "pooling_mode_max_tokens": false, "pooling_mode_lasttoken": {{Flag(mode == "lasttoken")}}}""");
                File.WriteAllText(Path.Combine(version, "config_sentence_transformers.json"), """{"prompts": {"query": "query: ", "document": ""}, "default_prompt_name": null}""");
            }
        }
    }

    public static string Name(string pooling, bool normalize) => $"st-{pooling}{(normalize ? "-normalized" : "")}";

    private static string Flag(bool on) => on ? "true" : "false";
}

public sealed class SentenceTransformersFolderTests(SentenceTransformersRepository host) : IClassFixture<SentenceTransformersRepository>
{
    private static readonly JsonElement Reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(SentenceTransformersRepository.Fixtures, "reference.json"))).RootElement;

    public static TheoryData<string, bool, bool> Cases => new()
    {
        { "mean", false, false }, { "mean", true, false }, { "mean", false, true }, { "mean", true, true },
        { "cls", false, false }, { "cls", true, false }, { "cls", true, true },
        { "lasttoken", false, false }, { "lasttoken", true, false }, { "lasttoken", false, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Vectors_match_the_torch_reference(string pooling, bool normalize, bool queryPrompt)
    {
        var texts = Reference.GetProperty("texts").EnumerateArray().Select(t => t.GetString()!).ToList();
        var expected = Reference.GetProperty("cases").EnumerateArray().Single(c =>
            c.GetProperty("pooling").GetString() == pooling && c.GetProperty("normalize").GetBoolean() == normalize
            && c.GetProperty("prompt").GetString() == (queryPrompt ? "query: " : "")).GetProperty("vectors");

        // Texts of different lengths in one call: padding must not change any vector.
        var response = await host.Embeddings.EmbedAsync(new EmbedRequest
        {
            Model = SentenceTransformersRepository.Name(pooling, normalize),
            Texts = { texts },
            PromptName = queryPrompt ? "query" : "document",
        });

        for (var i = 0; i < texts.Count; i++)
        {
            var want = expected[i].EnumerateArray().Select(v => v.GetSingle()).ToArray();
            var got = response.Embeddings[i].Values.ToArray();
            Assert.Equal(want.Length, got.Length);
            for (var d = 0; d < want.Length; d++) Assert.True(Math.Abs(want[d] - got[d]) < 1e-4, $"{pooling} text {i} dim {d}: {got[d]} vs {want[d]}");
        }
    }

    [Fact]
    public async Task An_unknown_prompt_name_is_invalid_argument_naming_the_models_prompts()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => host.Embeddings.EmbedAsync(new EmbedRequest
        {
            Model = SentenceTransformersRepository.Name("mean", false), Texts = { "a" }, PromptName = "passage",
        }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("query, document", error.Status.Detail);
    }
}
