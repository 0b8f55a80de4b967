using System.Text.Json;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation;

// Each shipped generator model's export script (tools/<model>/train.py) wrote the greedy token ids that PyTorch
// produced for fixed prompts, by full recompute; ONNX Runtime with the KV cache, through gRPC, must produce
// exactly the same ids. A reference with messages is a chat: the model's own template must render them to the
// reference prompt, and Chat must answer with the reference ids.
public sealed class ReferenceGenerationTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    public sealed record Reference(string Prompt, int[] PromptIds, int[] GeneratedIds, (string Role, string Content)[]? Messages);

    public sealed record ReferenceFile(int MaxNewTokens, int[] EosTokenIds, List<Reference> References);

    public static TheoryData<string, int> References()
    {
        var data = new TheoryData<string, int>();
        foreach (var model in RepositoryPaths.ShippedGeneratorModels)
        {
            for (var i = 0; i < Load(model).References.Count; i++)
            {
                data.Add(model, i);
            }
        }
        return data;
    }

    [Fact]
    public async Task Every_shipped_generator_model_is_loaded_and_has_reference_ids()
    {
        await host.ClientAsync();
        Assert.Equal(RepositoryPaths.ShippedGeneratorModels, host.Catalog.Loaded().Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.Contains("tiny-llama", RepositoryPaths.ShippedGeneratorModels);
        Assert.All(RepositoryPaths.ShippedGeneratorModels, model => Assert.NotEmpty(Load(model).References));
    }

    [Theory]
    [MemberData(nameof(References))]
    public async Task Greedy_decoding_reproduces_the_token_ids_pytorch_produced(string modelName, int index)
    {
        var file = Load(modelName);
        var reference = file.References[index];
        var model = await host.ModelAsync(modelName);
        Assert.Equal(reference.PromptIds, model.Tokenizer.Encode(reference.Prompt));

        var client = await host.ClientAsync();
        var parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = file.MaxNewTokens };
        List<int> tokens;
        GenerationSummary summary;
        if (reference.Messages is { } messages)
        {
            Assert.Equal(reference.Prompt, model.ChatTemplates!.Default.Render(messages, addGenerationPrompt: true, model.TemplateVariables));
            var request = new ChatRequest { Model = modelName, Parameters = parameters };
            request.Messages.AddRange(messages.Select(m => new ChatMessage { Role = m.Role, Content = m.Content }));
            (_, tokens, summary) = await client.Chat(request).CollectAsync();
        }
        else
        {
            (_, tokens, summary) = await client.Generate(new GenerateRequest { Model = modelName, Prompt = reference.Prompt, Parameters = parameters })
                .CollectAsync();
        }

        Assert.Equal(reference.GeneratedIds, tokens);
        Assert.Equal(reference.PromptIds.Length, summary.Usage.PromptTokens);
        Assert.Equal(reference.GeneratedIds.Length, summary.Usage.CompletionTokens);
        if (reference.Messages is not null)
        {
            // The model answers in turn: it ends the assistant's message itself.
            Assert.Contains(reference.GeneratedIds[^1], file.EosTokenIds);
            Assert.Equal(FinishReason.Stop, summary.FinishReason);
        }
    }

    internal static ReferenceFile Load(string model)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.GeneratorVersionDirectory(model), "reference_generations.json")));
        var root = json.RootElement;
        return new ReferenceFile(
            root.GetProperty("max_new_tokens").GetInt32(),
            Ids(root.GetProperty("eos_token_ids")),
            [.. root.GetProperty("references").EnumerateArray().Select(r => new Reference(
                r.GetProperty("prompt").GetString()!,
                Ids(r.GetProperty("prompt_ids")),
                Ids(r.GetProperty("generated_ids")),
                r.TryGetProperty("messages", out var messages)
                    ? [.. messages.EnumerateArray().Select(m => (m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))]
                    : null))]);
    }

    private static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];
}
