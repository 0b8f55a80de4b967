using System.Text.Json;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

// The export script (tools/tiny-gpt/train.py) wrote the greedy token ids that PyTorch produced for fixed
// prompts; ONNX Runtime with the KV cache, through gRPC, must produce exactly the same ids.
public sealed class ReferenceGenerationTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    public sealed record Reference(string Prompt, int[] PromptIds, int[] GeneratedIds);

    public static TheoryData<int> ReferenceIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < LoadReferences().Count; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceIndexes))]
    public async Task Greedy_decoding_reproduces_the_token_ids_pytorch_produced(int index)
    {
        var reference = LoadReferences()[index];
        var model = await host.TinyGptAsync();
        Assert.Equal(reference.PromptIds, model.Tokenizer.Encode(reference.Prompt));

        var client = await host.ClientAsync();
        var (_, tokens, summary) = await client.Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = reference.Prompt,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = MaxNewTokens() },
        }).CollectAsync();

        Assert.Equal(reference.GeneratedIds, tokens);
        Assert.Equal(reference.PromptIds.Length, summary.Usage.PromptTokens);
        Assert.Equal(reference.GeneratedIds.Length, summary.Usage.CompletionTokens);
    }

    internal static int MaxNewTokens()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "reference_generations.json")));
        return json.RootElement.GetProperty("max_new_tokens").GetInt32();
    }

    internal static List<Reference> LoadReferences()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.TinyGptVersionDirectory, "reference_generations.json")));
        return json.RootElement.GetProperty("references").EnumerateArray().Select(r => new Reference(
            r.GetProperty("prompt").GetString()!,
            r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            r.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32()).ToArray())).ToList();
    }
}
