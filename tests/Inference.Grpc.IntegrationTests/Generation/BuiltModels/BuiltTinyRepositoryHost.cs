using System.Text.Json;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.BuiltModels;

/// <summary>
/// The service over a repository of every layout tools/model-builder wrote (tests/models/built-tiny/&lt;layout&gt;),
/// each a model of that name whose version 1 links to the committed folder, so ONNX Runtime finds each external data
/// file beside the graph while the working directory is the test's. Two broken copies load beside them:
/// genai-fp32 without its model.onnx.data, and optimum-fp32 with its model.onnx_data cut short.
/// </summary>
public sealed class BuiltTinyRepositoryHost : TemporaryRepositoryHost
{
    public const string MissingDataModel = "genai-missing-data";
    public const string TruncatedDataModel = "optimum-truncated-data";

    public static readonly string[] Layouts =
    [
        "optimum-fp32", "optimum-fp32-no-position-ids", "optimum-merged-fp32", "optimum-fp16", "optimum-int8",
        "genai-fp32", "genai-int4", "genai-int4-dequantized",
    ];

    /// <summary>Broken models keep readiness down by design: wait until every model was tried.</summary>
    protected override Task WaitUntilReadyAsync() => WaitUntilModelsTriedAsync();

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [new("Generation:MaxConcurrentSequences", "16")];

    protected override void Compose(string repository)
    {
        foreach (var layout in Layouts)
        {
            var model = Directory.CreateDirectory(Path.Combine(repository, layout)).FullName;
            File.WriteAllText(Path.Combine(model, "model.json"), """{ "task": "text-generation" }""");
            Directory.CreateSymbolicLink(Path.Combine(model, "1"), Folder(layout));
        }
        Copy(repository, MissingDataModel, "genai-fp32", (folder) => File.Delete(Path.Combine(folder, "model.onnx.data")));
        Copy(repository, TruncatedDataModel, "optimum-fp32", (folder) =>
        {
            using var data = File.Open(Path.Combine(folder, "model.onnx_data"), FileMode.Open);
            data.SetLength(data.Length / 2);
        });
    }

    public static string Folder(string layout) => Path.Combine(RepositoryPaths.Root, "tests", "models", "built-tiny", layout);

    private static void Copy(string repository, string name, string layout, Action<string> breakIt)
    {
        var model = Directory.CreateDirectory(Path.Combine(repository, name)).FullName;
        File.WriteAllText(Path.Combine(model, "model.json"), """{ "task": "text-generation" }""");
        var version = Directory.CreateDirectory(Path.Combine(model, "1")).FullName;
        foreach (var file in Directory.EnumerateFiles(Folder(layout)))
        {
            File.Copy(file, Path.Combine(version, Path.GetFileName(file)));
        }
        breakIt(version);
    }

    public sealed record Reference(int[] Prompt, int[] Generated);

    /// <summary>The PyTorch greedy ids the builder wrote for the layout (float32, full recompute).</summary>
    public static List<Reference> References(string layout)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder(layout), "reference_generations.json")));
        return [.. json.RootElement.GetProperty("references").EnumerateArray().Select(r => new Reference(
            [.. r.GetProperty("prompt_ids").EnumerateArray().Select(e => e.GetInt32())],
            [.. r.GetProperty("generated_ids").EnumerateArray().Select(e => e.GetInt32())]))];
    }
}
