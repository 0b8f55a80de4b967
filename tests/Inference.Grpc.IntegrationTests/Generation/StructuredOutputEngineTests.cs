using MlStack.Testing;
using System.Text;
using System.Text.Json;
using Json.Schema;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Constraints;

namespace MlStack.Inference.IntegrationTests.Generation;

/// <summary>
/// Constrained decoding through the engine in-process (TextGenerator, the scheduler's batches, the real tiny models,
/// which write nonsense freely, so every valid answer is the constraint's doing).
/// </summary>
public sealed class StructuredOutputEngineTests(GenerationHost host) : IClassFixture<GenerationHost>
{
    public const string Schema = MovieSchema.Text;

    private TextGenerator Generator => host.Services.GetRequiredService<TextGenerator>();

    private async Task<(string Text, GenerationResult Result)> GenerateAsync(string model, OutputConstraint constraint, ulong seed, int maxTokens, float temperature = 1f)
    {
        using var stream = Generator.Start(new GenerationRequest
        {
            Model = model,
            Prompt = "Describe a film as JSON:",
            Parameters = new RequestedParameters { Temperature = temperature, TopP = 1, TopK = 0, Seed = seed, MaxNewTokens = maxTokens },
            Constraint = constraint,
        });
        var text = new StringBuilder();
        GenerationResult? result = null;
        await foreach (var step in stream)
        {
            text.Append(step.Text);
            result ??= step.Result;
        }
        return (text.ToString(), result!);
    }

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("tiny-gpt")]
    public async Task Json_schema_outputs_parse_and_validate_for_200_seeds_at_temperature_1(string model)
    {
        var constraint = new OutputConstraint { Schema = JsonDocument.Parse(Schema).RootElement.Clone(), Strict = true };
        var schema = JsonSchema.FromText(Schema);
        var seeds = Enumerable.Range(1, 200).Select(s => (ulong)s).ToList();
        // Eight at a time: they share the scheduler's batches, each row with its own grammar state and mask.
        foreach (var chunk in seeds.Chunk(8))
        {
            var answers = await Task.WhenAll(chunk.Select(seed => GenerateAsync(model, constraint, seed, maxTokens: 160)));
            foreach (var (seed, (text, result)) in chunk.Zip(answers))
            {
                Assert.True(result.FinishReason == FinishReasons.Stop, $"seed {seed}: {result.FinishReason}: {text}");
                using var document = JsonDocument.Parse(text);
                var evaluation = schema.Evaluate(document.RootElement);
                Assert.True(evaluation.IsValid, $"seed {seed}: {text}");
            }
        }
    }

    [Fact]
    public async Task Json_object_mode_always_gives_a_json_object()
    {
        for (ulong seed = 1; seed <= 30; seed++)
        {
            var (text, result) = await GenerateAsync("tiny-llama", new OutputConstraint(), seed, maxTokens: 64);
            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(text).RootElement.ValueKind);
        }
    }

    [Fact]
    public async Task A_prefix_and_suffix_constraint_gives_exactly_prefix_json_suffix()
    {
        var constraint = new OutputConstraint
        {
            Prefix = "<tool_call>\n",
            Schema = JsonDocument.Parse("""
                {"type": "object", "properties": {"name": {"const": "get_weather"},
                 "arguments": {"type": "object", "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}}, "required": ["city", "unit"], "additionalProperties": false}},
                 "required": ["name", "arguments"], "additionalProperties": false}
                """).RootElement.Clone(),
            Suffix = "\n</tool_call>",
        };
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var (text, result) = await GenerateAsync("tiny-llama", constraint, seed, maxTokens: 80);
            Assert.Equal(FinishReasons.Stop, result.FinishReason);
            Assert.StartsWith("<tool_call>\n", text);
            Assert.EndsWith("\n</tool_call>", text);
            using var call = JsonDocument.Parse(text["<tool_call>\n".Length..^"\n</tool_call>".Length]);
            Assert.Equal("get_weather", call.RootElement.GetProperty("name").GetString());
            Assert.Contains(call.RootElement.GetProperty("arguments").GetProperty("unit").GetString(), new[] { "c", "f" });
        }
    }

    [Fact]
    public async Task Greedy_decoding_under_a_constraint_is_valid_too()
    {
        var (text, result) = await GenerateAsync("tiny-gpt", new OutputConstraint { Schema = JsonDocument.Parse(Schema).RootElement.Clone() }, 1, 160, temperature: 0);
        Assert.Equal(FinishReasons.Stop, result.FinishReason);
        Assert.True(JsonSchema.FromText(Schema).Evaluate(JsonDocument.Parse(text).RootElement).IsValid, text);
    }

    [Fact]
    public async Task A_budget_too_small_for_the_value_ends_with_length()
    {
        // The shortest valid answer needs more than 5 tokens: OpenAI's behaviour, finish_reason length with what fitted.
        var (text, result) = await GenerateAsync("tiny-llama", new OutputConstraint { Schema = JsonDocument.Parse(Schema).RootElement.Clone() }, 3, maxTokens: 5);
        Assert.Equal(FinishReasons.Length, result.FinishReason);
        Assert.StartsWith("{", text);
    }
}
