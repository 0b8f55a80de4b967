using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.AttentionFusion;
using MlStack.Inference.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Whether fusing an Optimum export's attention at load (Generation:FuseAttention) pays: the server's decoder step on the
/// exported graph (<see cref="OrtValueDecoderStep"/>: each step's Concat copies the whole past into a new present)
/// against the same graph rewritten by <see cref="GroupQueryAttentionRewrite"/> (<see cref="SharedBufferDecoderStep"/>:
/// one buffer per layer bound as past and present, a step writes only its new positions). Both decode greedily from the
/// same prompts first, at 1 and 8 rows, and the suite refuses to time a fused model whose ids differ. Row counts,
/// contexts and the two graphs are interleaved repeat by repeat; the server's CPU session settings.
///   dotnet run -c Release --project tests/Benchmarks -- fused-attention [--models tiny-gpt,tiny-llama | --model-dir DIR]
///     [--rows 1,2,4,8,16] [--contexts 12] [--steps 128] [--repeats 5] [--check-tokens 40] [--threads N]
/// </summary>
public static class FusedAttentionBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var modelDirectory = Option(args, "--model-dir", "");
        var folders = modelDirectory.Length > 0
            ? [Path.GetFullPath(modelDirectory)]
            : Option(args, "--models", string.Join(',', RepositoryPaths.ShippedGeneratorModels)).Split(',').Select(RepositoryPaths.GeneratorVersionDirectory).ToArray();
        var rowCounts = IntListOption(args, "--rows", "1,2,4,8,16");
        var contexts = IntListOption(args, "--contexts", "12");
        var steps = IntOption(args, "--steps", 128);
        var repeats = IntOption(args, "--repeats", 5);
        var checkedTokens = IntOption(args, "--check-tokens", 40);
        var threads = IntOption(args, "--threads", 0);

        Console.WriteLine($"decoder step, exported attention against attention fused at load: {Environment.ProcessorCount} cores, load average {LoadAverage()}; " +
            $"the server's CPU session settings ({(threads > 0 ? threads + " threads" : "one intra-op thread per core")}); prompts of {string.Join("/", contexts)} tokens per row, " +
            $"then {steps} steps, median step of {repeats} repeats");
        var settings = new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpNumThreads = threads };
        var sessions = new OrtSessionFactory(Options.Create(settings), NullLogger<OrtSessionFactory>.Instance);
        var table = new List<string>();
        foreach (var folder in folders)
        {
            var name = Path.GetFileName(folder) is "1" ? Path.GetFileName(Path.GetDirectoryName(folder))! : Path.GetFileName(folder);
            var file = ModelFile(folder);
            var started = Stopwatch.GetTimestamp();
            var fusedGraph = GroupQueryAttentionRewrite.Rewrite(file);
            var rewriteTook = Stopwatch.GetElapsedTime(started);
            if (fusedGraph.Model is not { } graph)
            {
                Console.Error.WriteLine($"{name}: not fused: {fusedGraph.Refusal}");
                return Task.FromResult(1);
            }
            using var exported = sessions.Create(file);
            using var fused = sessions.Create(graph, folder);
            Console.WriteLine($"{name}: {fusedGraph.Layers} layers fused in {rewriteTook.TotalMilliseconds:F0} ms");
            var exportedLayout = DecoderLayout.Read(exported.Session);
            var fusedLayout = DecoderLayout.Read(fused.Session, null, Path.GetFileName(file), attentionFused: true);
            var vocabulary = (int)exported.Session.OutputMetadata["logits"].Dimensions[^1];
            var capacity = contexts.Max() + Math.Max(steps, checkedTokens) + 1;
            using var exportedStep = new OrtValueDecoderStep(exported.Session, exportedLayout, capacity, vocabulary);
            using var fusedStep = new SharedBufferDecoderStep(fused.Session, fusedLayout, capacity, vocabulary);
            using var exportedCaches = new HostKvCacheRebuilder(exportedLayout);
            using var fusedCaches = new HostKvCacheRebuilder(fusedLayout);
            using var run = new RunOptions();

            foreach (var n in new[] { 1, 8 })
            {
                var expected = Decode(exportedStep, exportedCaches, run, n, contexts.Min(), checkedTokens, capacity, times: null);
                var actual = Decode(fusedStep, fusedCaches, run, n, contexts.Min(), checkedTokens, capacity, times: null);
                if (!expected.SequenceEqual(actual))
                {
                    Console.Error.WriteLine($"{name}: the fused graph's greedy ids differ from the exported graph's at {n} rows; not timed");
                    return Task.FromResult(1);
                }
            }
            Console.WriteLine($"{name}: greedy ids of the fused graph equal the exported graph's ({checkedTokens} tokens after {contexts.Min()}, 1 and 8 rows)");

            var exportedTimes = new Dictionary<(int, int), List<double>>();
            var fusedTimes = new Dictionary<(int, int), List<double>>();
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                foreach (var context in contexts)
                {
                    foreach (var n in rowCounts)
                    {
                        Decode(exportedStep, exportedCaches, run, n, context, steps, capacity, Times(exportedTimes, (context, n)));
                        Decode(fusedStep, fusedCaches, run, n, context, steps, capacity, Times(fusedTimes, (context, n)));
                    }
                }
            }
            foreach (var context in contexts)
            {
                var exportedOne = Median(exportedTimes[(context, rowCounts.Min())]) / rowCounts.Min();
                var fusedOne = Median(fusedTimes[(context, rowCounts.Min())]) / rowCounts.Min();
                foreach (var n in rowCounts)
                {
                    var e = Median(exportedTimes[(context, n)]);
                    var f = Median(fusedTimes[(context, n)]);
                    table.Add($"| {name} | {context} | {n} | {e:F3} | {n * exportedOne / e:F2}x | {f:F3} | {n * fusedOne / f:F2}x | {e / f:F2}x |");
                }
            }
        }
        Console.WriteLine("| model | prompt tokens | rows | exported ms per step p50 | tokens/s vs 1 row | fused ms per step p50 | tokens/s vs 1 row | fused speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        table.ForEach(Console.WriteLine);
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return Task.FromResult(0);
    }

    private static string ModelFile(string folder) =>
        File.Exists(Path.Combine(folder, "model.onnx")) ? Path.Combine(folder, "model.onnx") : Path.Combine(folder, "decoder_model_merged.onnx");

    private static List<double> Times(Dictionary<(int, int), List<double>> times, (int, int) key) =>
        times.TryGetValue(key, out var list) ? list : times[key] = [];

    /// <summary>Row <paramref name="row"/>'s prompt: its own tokens, up to 3 shorter than <paramref name="context"/>, so rows differ in length.</summary>
    private static long[] Prompt(int row, int context) =>
        Enumerable.Range(0, Math.Max(1, context - row % 4)).Select(i => (long)((i * 7 + row * 13) % 97 + 1)).ToArray();

    /// <summary>
    /// Greedy decoding through a server step: each row's prompt prefilled alone in chunks of at most 256 tokens (a long
    /// prompt's logits for 8 rows at once would not fit one tensor), the rows gathered into one batch, then
    /// <paramref name="steps"/> one-token steps, each step's time into <paramref name="times"/>. The caches are made as the
    /// scheduler makes them (a shared buffer of <paramref name="capacity"/> positions per row).
    /// </summary>
    private static List<long> Decode(DecoderStep step, KvCacheRebuilder caches, RunOptions run, int rows, int context, int steps, int capacity, List<double>? times)
    {
        const int Chunk = 256;
        var ids = new List<long>();
        var next = new long[rows];
        var prefilled = new List<KvCache>();
        for (var r = 0; r < rows; r++)
        {
            var row = caches.Create(capacity);
            var prompt = Prompt(r, context);
            for (var start = 0; start < prompt.Length; start += Chunk)
            {
                var width = Math.Min(Chunk, prompt.Length - start);
                row = step.Run(row, prompt.AsSpan(start, width), width, run);
            }
            next[r] = TokenSampler.ArgMax(step.Logits(0));
            prefilled.Add(row);
        }
        var cache = caches.Gather([.. prefilled.Select(c => (c, 0))], capacity);
        prefilled.ForEach(c => c.Dispose());
        ids.AddRange(next);
        try
        {
            for (var s = 0; s < steps; s++)
            {
                var started = Stopwatch.GetTimestamp();
                cache = step.Run(cache, next, 1, run);
                times?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                for (var r = 0; r < rows; r++) next[r] = TokenSampler.ArgMax(step.Logits(r));
                ids.AddRange(next);
            }
            return ids;
        }
        finally
        {
            cache.Dispose();
        }
    }
}
