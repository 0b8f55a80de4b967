using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Repository;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// ONNX Runtime's decoder step alone, with no scheduler, gRPC or client: milliseconds per step for a batch of n rows
/// decoding from a context of a given length, through the server's own step (<see cref="OrtValueDecoderStep"/>) and
/// session settings (CPU; by default the server's threads: one intra-op thread per core, spinning only inside a run).
/// It bounds what iteration-level batching can give on this machine: with nothing else spent per token, n streams produce
/// n x step(1) / step(n) times the tokens/s of one stream, and their inter-token latency is step(n) / step(1) times
/// one stream's. Row counts are interleaved repeat by repeat, so drift in the machine's load hits all alike.
/// --folders runs model folders outside the repository instead (e.g. the Qwen-shaped layouts in the model cache), an
/// onnxruntime-genai export through the server's shared-buffer step (<see cref="SharedBufferDecoderStep"/>).
///   dotnet run -c Release --project tests/Benchmarks -- decoder-step [--models tiny-gpt,tiny-llama | --folders DIR,DIR]
///     [--rows 1,2,4,8,16] [--context 12] [--steps 128] [--repeats 5] [--threads 0] [--spinning run|on|off]
/// </summary>
public static class DecoderStepBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var folders = Option(args, "--folders", "") is { Length: > 0 } given
            ? given.Split(',')
            : Option(args, "--models", string.Join(',', RepositoryPaths.ShippedGeneratorModels)).Split(',').Select(RepositoryPaths.GeneratorVersionDirectory).ToArray();
        var rowCounts = IntListOption(args, "--rows", "1,2,4,8,16");
        var context = IntOption(args, "--context", 12);
        var steps = IntOption(args, "--steps", 128);
        var repeats = IntOption(args, "--repeats", 5);
        var threads = IntOption(args, "--threads", 0);
        var (spinning, stopSpinning) = SpinningOption(Option(args, "--spinning", "run"));

        Console.WriteLine($"decoder step alone: {Environment.ProcessorCount} cores, load average {LoadAverage()}; CPU, IntraOpNumThreads={threads}, AllowSpinning={spinning}, StopSpinningBetweenRuns={stopSpinning}; " +
            $"a prompt of {context} tokens per row, then {steps} steps (the context grows to {context + steps}), median step of {repeats} repeats");
        Console.WriteLine("| model | rows | ms per step p50 | step vs 1 row | tokens/s | tokens/s vs 1 row (the most batching can give) |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var folder in folders)
        {
            var model = Path.GetFileName(Path.TrimEndingDirectorySeparator(folder)) is var name && name == "1"
                ? Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(folder))) : name;
            var settings = new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpNumThreads = threads, AllowSpinning = spinning, StopSpinningBetweenRuns = stopSpinning };
            using var sessionOptions = OrtSessionFactory.CreateSessionOptions(settings, ExecutionProviderKind.Cpu);
            var genai = GenaiConfig.Read(folder);
            var file = ModelVersionFolders.ModelFile(folder);
            using var session = new InferenceSession(file, sessionOptions);
            var layout = DecoderLayout.Read(session, genai, Path.GetFileName(file));
            var vocabulary = (int)session.OutputMetadata[layout.LogitsName].Dimensions[^1];
            using DecoderStep step = layout.Format == KvCacheFormat.SharedBuffer
                ? new SharedBufferDecoderStep(session, layout, context + steps + 1, vocabulary)
                : new OrtValueDecoderStep(session, layout, context + steps + 1, vocabulary);
            using var rebuilder = new HostKvCacheRebuilder(layout);
            using var run = new RunOptions();

            var times = rowCounts.ToDictionary(n => n, _ => new List<double>());
            Measure(step, rebuilder, run, 1, context, Math.Min(steps, 16)); // warm-up: arenas and kernels
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                foreach (var n in rowCounts) times[n].AddRange(Measure(step, rebuilder, run, n, context, steps));
            }
            var single = Percentile(times[rowCounts.Min()], 0.5) / rowCounts.Min();
            foreach (var n in rowCounts)
            {
                var ms = Percentile(times[n], 0.5);
                Console.WriteLine($"| {model} | {n} | {ms:F3} | {ms / single:F2}x | {n * 1000 / ms:F0} | {n * single / ms:F2}x |");
            }
        }
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return Task.FromResult(0);
    }

    /// <summary>Prefills <paramref name="rows"/> rows of <paramref name="context"/> tokens in one run, then times each decode step.</summary>
    private static List<double> Measure(DecoderStep step, KvCacheRebuilder rebuilder, RunOptions run, int rows, int context, int steps)
    {
        // Token ids do not change the work of a step; small ids are valid in every vocabulary.
        var prompt = Enumerable.Range(0, rows * context).Select(i => (long)(i % 97 + 1)).ToArray();
        var next = Enumerable.Repeat(5L, rows).ToArray();
        var cache = step.Run(EmptyCache(step.Layout, rebuilder, rows, context + steps), prompt, context, run);
        var times = new List<double>(steps);
        try
        {
            for (var s = 0; s < steps; s++)
            {
                var started = Stopwatch.GetTimestamp();
                cache = step.Run(cache, next, 1, run);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            cache.Dispose();
        }
        return times;
    }

    /// <summary>rows empty rows: no columns (Concatenated), or left-aligned buffers with room for capacity positions (SharedBuffer).</summary>
    private static KvCache EmptyCache(DecoderLayout layout, KvCacheRebuilder rebuilder, int rows, int capacity)
    {
        if (layout.Format == KvCacheFormat.Concatenated) return KvCache.Empty(layout, rows);
        using var one = rebuilder.Create(capacity);
        return rebuilder.Gather([.. Enumerable.Repeat((one, 0), rows)], capacity);
    }
}
