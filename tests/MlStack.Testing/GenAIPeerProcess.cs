using System.Text.Json;

namespace MlStack.Testing;

/// <summary>What the onnxruntime-genai peer (tests/Benchmarks.GenAI) printed: its load, then one entry per prompt.</summary>
public sealed record GenAIPeerReport(
    string Runtime, string Model, string ModelType, int Threads, double LoadSeconds, long PeakRssAfterLoadBytes,
    long PeakRssBytes, IReadOnlyList<GenAIPeerRun> Runs);

public sealed record GenAIPeerRun(
    int PromptLength, int GeneratedTokens, double TtftMs, double DecodeTokensPerSecond, double InterTokenP50Ms,
    double InterTokenP99Ms, IReadOnlyList<int> GeneratedIds);

/// <summary>
/// Runs onnxruntime-genai's own generator loop (tests/Benchmarks.GenAI, built beside the caller in the same
/// configuration) in a process of its own: it ships a native ONNX Runtime of its own, which must never be loaded into
/// a process that holds MlStack's.
/// </summary>
public static class GenAIPeerProcess
{
    public static string Dll => Path.Combine(RepositoryPaths.BuildOutput(Path.Combine("tests", "Benchmarks.GenAI")), "Benchmarks.GenAI.dll");

    /// <summary>Greedy runs of the given prompts on one loaded model (see tests/Benchmarks.GenAI/PeerOptions.cs).</summary>
    public static async Task<GenAIPeerReport> RunAsync(string modelFolder, IEnumerable<IReadOnlyList<int>> prompts, int newTokens,
        int threads, TimeSpan bound, bool ignoreEos = false, int warmup = 1)
    {
        if (!File.Exists(Dll))
        {
            throw new InvalidOperationException($"{Dll} is not built: dotnet build tests/Benchmarks.GenAI -c {RepositoryPaths.Configuration}");
        }
        List<string> args = [Dll, "--model", modelFolder, "--new-tokens", newTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--warmup", warmup.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        if (ignoreEos) args.Add("--ignore-eos");
        foreach (var prompt in prompts) args.AddRange(["--prompt-ids", string.Join(',', prompt)]);
        var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, ["exec", .. args], bound);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"the onnxruntime-genai peer failed ({run.ExitCode}) on {modelFolder}:\n{run.Output}");
        }
        return JsonSerializer.Deserialize<GenAIPeerReport>(run.StandardOutput, new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException($"the onnxruntime-genai peer printed no report:\n{run.Output}");
    }
}
