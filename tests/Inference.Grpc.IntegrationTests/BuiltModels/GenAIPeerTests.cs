using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.IntegrationTests.Generation.BuiltModels;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.BuiltModels;

/// <summary>
/// The genai layouts tools/model-builder wrote for the tiny model (tests/models/built-tiny), loaded by
/// onnxruntime-genai 0.20.0 itself (tests/Benchmarks.GenAI, a process of its own) and decoded greedily by its own
/// generator loop: proof that the builder writes what Microsoft's loader reads (it refuses any genai_config.json field
/// it does not know), and that both runtimes compute the same model. float32 against the PyTorch reference ids that
/// MlStack's tests check; int4 against what MlStack's ONNX Runtime gives on the same files; both against what MlStack's
/// server (its scheduler) generates from the same folders. One intra-op thread on every side.
/// </summary>
public sealed class GenAIPeerTests(BuiltTinyRepositoryHost host) : IClassFixture<BuiltTinyRepositoryHost>
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Genai_float32_layout_in_onnxruntime_genai_gives_the_reference_greedy_ids()
    {
        var references = References("genai-fp32");
        var report = await GenAIPeerProcess.RunAsync(Folder("genai-fp32"), references.Select(r => r.Prompt), 24, threads: 1, Bound);

        Assert.Equal("qwen2", report.ModelType);
        Assert.Equal(references.Count, report.Runs.Count);
        for (var i = 0; i < references.Count; i++)
        {
            Assert.Equal(references[i].Generated, report.Runs[i].GeneratedIds);
        }
    }

    [Fact]
    public async Task Genai_int4_layout_in_onnxruntime_genai_gives_the_greedy_ids_of_MlStacks_onnx_runtime()
    {
        var references = References("genai-int4");
        var report = await GenAIPeerProcess.RunAsync(Folder("genai-int4"), references.Select(r => r.Prompt), 24, threads: 1, Bound);

        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(Path.Combine(Folder("genai-int4"), "model.onnx"), options);
        Assert.Equal(references.Count, report.Runs.Count);
        for (var i = 0; i < references.Count; i++)
        {
            var mlstack = LayoutGreedyDecoder.Genai(session, [.. references[i].Prompt.Select(id => (long)id)], 24, references[i].Eos);
            Assert.Equal(mlstack.Ids.Select(id => (int)id), report.Runs[i].GeneratedIds);
        }
    }

    [Theory]
    [InlineData("genai-fp32")]
    [InlineData("genai-int4")]
    public async Task Genai_layout_in_onnxruntime_genai_gives_the_greedy_ids_MlStack_serves(string layout)
    {
        var references = References(layout);
        var report = await GenAIPeerProcess.RunAsync(Folder(layout), references.Select(r => r.Prompt), 24, threads: 1, Bound);

        var model = await host.ModelAsync(layout);
        Assert.Equal(KvCacheFormat.SharedBuffer, model.Layout.Format);
        for (var i = 0; i < references.Count; i++)
        {
            var sequence = model.Scheduler.Submit(references[i].Prompt, new SamplingParameters(24, 0f, 1f, 0, 1f, 0, [], IgnoreEos: false));
            var served = new List<int>();
            await foreach (var token in sequence.Tokens.ReadAllAsync()) served.Add(token.Id);
            Assert.Equal(served, report.Runs[i].GeneratedIds);
        }
    }

    [Fact]
    public async Task A_genai_config_field_onnxruntime_genai_does_not_know_is_refused_with_its_name()
    {
        // What makes the tests above mean something: the loader is strict, so a builder field it does not read fails.
        using var copy = new TestDirectory();
        foreach (var file in Directory.EnumerateFiles(Folder("genai-fp32")))
        {
            File.Copy(file, Path.Combine(copy.Path, Path.GetFileName(file)));
        }
        var config = Path.Combine(copy.Path, "genai_config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"head_size\"", "\"not_a_genai_field\": 1, \"head_size\"", StringComparison.Ordinal));

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => GenAIPeerProcess.RunAsync(copy.Path, [[715, 509, 324]], 4, threads: 1, Bound));
        Assert.Contains("not_a_genai_field", failure.Message, StringComparison.Ordinal);
    }

    private static string Folder(string layout) => Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", layout);

    private sealed record Reference(int[] Prompt, int[] Generated, HashSet<long> Eos);

    private static List<Reference> References(string layout)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(layout), "reference_generations.json")));
        var eos = json.RootElement.GetProperty("eos_token_ids").EnumerateArray().Select(e => e.GetInt64()).ToHashSet();
        return [.. json.RootElement.GetProperty("references").EnumerateArray().Select(r => new Reference(
            [.. r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())],
            [.. r.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32())],
            eos))];
    }
}
