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
/// session settings (CPU; by default the server's threads: one intra-op thread per core, spinning only inside a run),
/// in the cache layout the graph reads: Optimum's concatenated past (<see cref="OrtValueDecoderStep"/>) or
/// onnxruntime-genai's shared buffer (<see cref="SharedBufferDecoderStep"/>, recognised by genai_config.json).
/// It bounds what iteration-level batching can give on this machine: with nothing else spent per token, n streams produce
/// n x step(1) / step(n) times the tokens/s of one stream, and their inter-token latency is step(n) / step(1) times
/// one stream's. Row counts are interleaved repeat by repeat, so drift in the machine's load hits all alike.
///   dotnet run -c Release --project tests/Benchmarks -- decoder-step [--models tiny-gpt,tiny-llama] [--rows 1,2,4,8,16]
///     [--context 12] [--steps 128] [--repeats 5] [--threads 0] [--spinning run|on|off]
/// --models takes shipped model names or version folders (e.g. ~/.cache/mlstack/models/qwen2.5-0.5b-shaped/genai-int4).
/// </summary>
public static class DecoderStepBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var models = Option(args, "--models", string.Join(',', RepositoryPaths.ShippedGeneratorModels)).Split(',');
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
        foreach (var model in models)
        {
            var settings = new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpNumThreads = threads, AllowSpinning = spinning, StopSpinningBetweenRuns = stopSpinning };
            using var sessionOptions = OrtSessionFactory.CreateSessionOptions(settings, ExecutionProviderKind.Cpu);
            var folder = Directory.Exists(model) ? model : RepositoryPaths.GeneratorVersionDirectory(model);
            using var session = new InferenceSession(ModelVersionFolders.ModelFile(folder), sessionOptions);
            var layout = DecoderLayout.Read(session, GenaiConfig.Read(folder));
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
                Console.WriteLine($"| {Path.GetFileName(Path.TrimEndingDirectorySeparator(model))} ({layout.Format}) | {n} | {ms:F3} | {ms / single:F2}x | {n * 1000 / ms:F0} | {n * single / ms:F2}x |");
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
        // n empty rows: a shared buffer holds the whole context from the start (as the server sizes it).
        var capacity = context + steps + 1;
        KvCache empty;
        using (var one = rebuilder.Create(capacity))
        {
            empty = rows == 1 ? rebuilder.Gather([(one, 0)], capacity) : rebuilder.Gather([.. Enumerable.Repeat((one, 0), rows)], capacity);
        }
        var cache = step.Run(empty, prompt, context, run);
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
}
