using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Testing;

namespace MlStack.Inference.UnitTests.BuiltModels;

/// <summary>
/// The tiny model tools/model-builder wrote in every layout (tests/models/built-tiny, committed; rebuilt by
/// `/usr/bin/python3 tools/model-builder/build.py --config tiny`): each layout, run on the repository's ONNX Runtime,
/// gives the greedy ids PyTorch computed from the one model definition, and the int4 model stays within a stated
/// logit tolerance of the same weights dequantized.
/// </summary>
public sealed class BuiltTinyModelTests
{
    /// <summary>
    /// Largest logit difference allowed between a quantized layout and the float32 weights it was quantized from, on
    /// logits of standard deviation about 11: int8 (MatMulInteger, activations quantized per tensor at run time)
    /// against optimum-fp32; int4 (MatMulNBits, accuracy_level 4: activations quantized to int8 inside the operator)
    /// against genai-int4-dequantized, float32 MatMuls on exactly the weights the int4 blocks hold.
    /// </summary>
    public static TheoryData<string, string, float> QuantizedLayouts => new()
    {
        { "optimum-int8", "optimum-fp32", Int8LogitTolerance },
        { "genai-int4", "genai-int4-dequantized", Int4LogitTolerance },
    };

    private const float Int8LogitTolerance = 2.0f;   // measured: 1.69
    private const float Int4LogitTolerance = 1.25f;  // measured: 0.93 (0.0004 with accuracy_level 0)

    public static TheoryData<string> OptimumLayouts =>
        ["optimum-fp32", "optimum-fp32-no-position-ids", "optimum-merged-fp32", "optimum-fp16"];

    [Theory]
    [MemberData(nameof(OptimumLayouts))]
    public void Optimum_layout_gives_the_reference_greedy_ids(string layout)
    {
        using var session = Open(layout);
        foreach (var reference in References(layout))
        {
            var decoded = LayoutGreedyDecoder.Optimum(session, reference.Prompt, reference.Generated.Length, reference.Eos);
            Assert.Equal(reference.Generated, decoded.Ids);
        }
    }

    [Fact]
    public void Genai_float32_layout_gives_the_reference_greedy_ids()
    {
        using var session = Open("genai-fp32");
        Assert.DoesNotContain("position_ids", session.InputMetadata.Keys);
        foreach (var reference in References("genai-fp32"))
        {
            var decoded = LayoutGreedyDecoder.Genai(session, reference.Prompt, reference.Generated.Length, reference.Eos);
            Assert.Equal(reference.Generated, decoded.Ids);
        }
    }

    /// <summary>
    /// Both models read the same context at every step (the float32 model's greedy ids, forced into the quantized
    /// one): the logits stay within the tolerance, and the quantized model picks the same id wherever the float32
    /// model's two best logits are further apart than twice the tolerance (closer ones may swap within it).
    /// </summary>
    [Theory]
    [MemberData(nameof(QuantizedLayouts))]
    public void Quantized_layout_stays_within_the_logit_tolerance_of_its_float32_weights(string layout, string float32Layout, float tolerance)
    {
        using var quantized = Open(layout);
        using var float32 = Open(float32Layout);
        var genai = layout.StartsWith("genai-", StringComparison.Ordinal);
        var worst = 0f;
        var compared = 0;
        var swapped = new List<string>();
        foreach (var reference in References(layout))
        {
            var expected = genai
                ? LayoutGreedyDecoder.Genai(float32, reference.Prompt, reference.Generated.Length, reference.Eos)
                : LayoutGreedyDecoder.Optimum(float32, reference.Prompt, reference.Generated.Length, reference.Eos);
            long[] forced = [.. expected.Ids];
            var actual = genai
                ? LayoutGreedyDecoder.Genai(quantized, reference.Prompt, forced.Length, reference.Eos, forced)
                : LayoutGreedyDecoder.Optimum(quantized, reference.Prompt, forced.Length, reference.Eos, forced);
            Assert.Equal(expected.Logits.Count, actual.Logits.Count);
            for (var step = 0; step < expected.Logits.Count; step++)
            {
                var (want, got) = (expected.Logits[step], actual.Logits[step]);
                worst = Math.Max(worst, want.Zip(got).Max(v => Math.Abs(v.First - v.Second)));
                var top = want.OrderDescending().Take(2).ToArray();
                if (top[0] - top[1] > 2 * tolerance)
                {
                    compared++;
                    if (expected.Ids[step] != actual.Ids[step]) swapped.Add($"step {step} of a {reference.Prompt.Length}-id prompt");
                }
            }
        }
        Assert.True(worst <= tolerance, $"{layout} logits differ from {float32Layout}'s by up to {worst} (tolerance {tolerance})");
        Assert.Empty(swapped);
        Assert.True(compared >= 32, $"only {compared} steps had a margin over twice the tolerance");
    }

    [Theory]
    [InlineData("genai-fp32")]
    [InlineData("genai-int4")]
    public void Genai_config_names_the_graph_and_the_shared_buffer(string layout)
    {
        var folder = Folder(layout);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "genai_config.json")));
        var model = json.RootElement.GetProperty("model");
        var decoder = model.GetProperty("decoder");
        using var session = Open(layout);
        Assert.Equal("model.onnx", decoder.GetProperty("filename").GetString());
        Assert.True(json.RootElement.GetProperty("search").GetProperty("past_present_share_buffer").GetBoolean());
        Assert.Equal(1024, model.GetProperty("context_length").GetInt32());
        Assert.Equal([998, 996], model.GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()));
        var inputs = decoder.GetProperty("inputs");
        Assert.Equal(
            session.InputMetadata.Keys.Order(StringComparer.Ordinal),
            new[] { inputs.GetProperty("input_ids").GetString()!, inputs.GetProperty("attention_mask").GetString()! }
                .Concat(Enumerable.Range(0, decoder.GetProperty("num_hidden_layers").GetInt32()).SelectMany(i => new[]
                {
                    inputs.GetProperty("past_key_names").GetString()!.Replace("%d", i.ToString(), StringComparison.Ordinal),
                    inputs.GetProperty("past_value_names").GetString()!.Replace("%d", i.ToString(), StringComparison.Ordinal),
                }))
                .Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("optimum-fp32", "model.onnx_data")]
    [InlineData("optimum-merged-fp32", "decoder_model_merged.onnx_data")]
    [InlineData("genai-int4", "model.onnx.data")]
    public void External_data_is_found_beside_the_model_wherever_the_folder_is(string layout, string dataFile)
    {
        using var copy = new TestDirectory();
        foreach (var file in Directory.EnumerateFiles(Folder(layout)))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }
        Assert.True(new FileInfo(Path.Combine(copy.Path, dataFile)).Length > 100_000);
        using var session = new InferenceSession(Directory.EnumerateFiles(copy.Path, "*.onnx").Single());
        Assert.Contains("logits", session.OutputMetadata.Keys);
    }

    private static string Folder(string layout) => Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", layout);

    private static InferenceSession Open(string layout)
    {
        var folder = Folder(layout);
        var file = File.Exists(Path.Combine(folder, "decoder_model_merged.onnx")) ? "decoder_model_merged.onnx" : "model.onnx";
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        return new InferenceSession(Path.Combine(folder, file), options);
    }

    private sealed record Reference(long[] Prompt, long[] Generated, HashSet<long> Eos);

    private static List<Reference> References(string layout)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(layout), "reference_generations.json")));
        var eos = json.RootElement.GetProperty("eos_token_ids").EnumerateArray().Select(e => e.GetInt64()).ToHashSet();
        return [.. json.RootElement.GetProperty("references").EnumerateArray().Select(r => new Reference(
            [.. r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt64())],
            [.. r.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt64())],
            eos))];
    }
}
