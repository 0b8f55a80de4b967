using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// What a decoder step would cost with its attention fused into ONNX Runtime's GroupQueryAttention and the KV cache
/// written in place (an experiment the server does not run yet): the shipped model through the server's own step
/// (<see cref="OrtValueDecoderStep"/>: each step's Concat copies the whole past into a new present) against the same
/// model rewritten by tools/kv-cache/fuse_attention.py, whose per-layer cache is one preallocated buffer bound as both
/// past and present through IOBinding (a step writes only its new tokens). Both decode greedily from the same prompt
/// first, and the suite refuses to time a rewritten model whose ids differ. Row counts and the two steps are
/// interleaved repeat by repeat; the server's session settings (CPU, one intra-op thread per core, spinning inside a run).
///   /usr/bin/python3 tools/kv-cache/fuse_attention.py Inference.Grpc/models/tiny-gpt/1 /tmp/fused/tiny-gpt.onnx
///   dotnet run -c Release --project tests/Benchmarks -- fused-attention --fused /tmp/fused [--models tiny-gpt,tiny-llama]
///     [--rows 1,2,4,8,16] [--context 12] [--steps 128] [--repeats 5]
/// </summary>
public static class FusedAttentionBenchmark
{
    private const int CheckedTokens = 40;

    public static Task<int> RunAsync(string[] args)
    {
        var fusedDirectory = Option(args, "--fused", "");
        if (fusedDirectory.Length == 0)
        {
            Console.Error.WriteLine("fused-attention: --fused DIR is required (DIR/<model>.onnx from tools/kv-cache/fuse_attention.py)");
            return Task.FromResult(2);
        }
        var models = Option(args, "--models", string.Join(',', RepositoryPaths.ShippedGeneratorModels)).Split(',');
        var rowCounts = IntListOption(args, "--rows", "1,2,4,8,16");
        var context = IntOption(args, "--context", 12);
        var steps = IntOption(args, "--steps", 128);
        var repeats = IntOption(args, "--repeats", 5);

        Console.WriteLine($"decoder step, exported attention against fused in-place attention: {Environment.ProcessorCount} cores, load average {LoadAverage()}; " +
            $"the server's CPU session settings; a prompt of {context} tokens per row, then {steps} steps, median step of {repeats} repeats");
        var settings = new ExecutionOptions { Provider = ExecutionProviderPreference.Cpu };
        var rows = new List<string>();
        foreach (var model in models)
        {
            using var sessionOptions = OrtSessionFactory.CreateSessionOptions(settings, ExecutionProviderKind.Cpu);
            using var exported = new InferenceSession(Path.Combine(RepositoryPaths.GeneratorVersionDirectory(model), "model.onnx"), sessionOptions);
            using var fused = new InferenceSession(Path.Combine(fusedDirectory, model + ".onnx"), sessionOptions);
            var layout = DecoderLayout.Read(exported);
            var vocabulary = (int)exported.OutputMetadata["logits"].Dimensions[^1];
            using var step = new OrtValueDecoderStep(exported, layout, context + Math.Max(steps, CheckedTokens) + 1, vocabulary);
            using var run = new RunOptions();

            foreach (var n in new[] { 1, 8 })
            {
                var expected = DecodeExported(step, layout, run, n, context, CheckedTokens, times: null);
                var actual = DecodeFused(fused, layout, run, n, context, CheckedTokens, times: null);
                if (!expected.SequenceEqual(actual))
                {
                    Console.Error.WriteLine($"{model}: the fused model's greedy ids differ from the exported model's at {n} rows; not timed");
                    return Task.FromResult(1);
                }
            }
            Console.WriteLine($"{model}: greedy ids of the fused model equal the exported model's ({CheckedTokens} tokens, 1 and 8 rows)");

            var exportedTimes = rowCounts.ToDictionary(n => n, _ => new List<double>());
            var fusedTimes = rowCounts.ToDictionary(n => n, _ => new List<double>());
            for (var repeat = 0; repeat < repeats; repeat++)
            {
                foreach (var n in rowCounts)
                {
                    DecodeExported(step, layout, run, n, context, steps, exportedTimes[n]);
                    DecodeFused(fused, layout, run, n, context, steps, fusedTimes[n]);
                }
            }
            var exportedOne = Median(exportedTimes[rowCounts.Min()]) / rowCounts.Min();
            var fusedOne = Median(fusedTimes[rowCounts.Min()]) / rowCounts.Min();
            foreach (var n in rowCounts)
            {
                var e = Median(exportedTimes[n]);
                var f = Median(fusedTimes[n]);
                rows.Add($"| {model} | {n} | {e:F3} | {e / exportedOne:F2}x | {n * exportedOne / e:F2}x | {f:F3} | {f / fusedOne:F2}x | {n * fusedOne / f:F2}x | {e / f:F2}x |");
            }
        }
        Console.WriteLine("| model | rows | exported ms per step p50 | vs 1 row | tokens/s vs 1 row | fused ms per step p50 | vs 1 row | tokens/s vs 1 row | fused speed-up |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return Task.FromResult(0);
    }

    private static long[] Prompt(int rows, int context) =>
        Enumerable.Range(0, rows * context).Select(i => (long)((i % context) * 7 % 97 + 1)).ToArray();

    /// <summary>Greedy decoding through the server's step; each decode step's time goes to <paramref name="times"/>.</summary>
    private static List<long> DecodeExported(DecoderStep step, DecoderLayout layout, RunOptions run, int rows, int context, int steps, List<double>? times)
    {
        var ids = new List<long>();
        var next = new long[rows];
        var cache = step.Run(KvCache.Empty(layout, rows), Prompt(rows, context), context, run);
        try
        {
            for (var s = 0; ; s++)
            {
                for (var r = 0; r < rows; r++) next[r] = TokenSampler.ArgMax(step.Logits(r));
                ids.AddRange(next);
                if (s == steps) return ids;
                var started = Stopwatch.GetTimestamp();
                cache = step.Run(cache, next, 1, run);
                times?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        finally
        {
            cache.Dispose();
        }
    }

    /// <summary>
    /// Greedy decoding through the fused model: every row's tokens from slot 0 of a buffer of the whole context per layer,
    /// bound as past and present, seqlens_k = each row's total length - 1.
    /// </summary>
    private static List<long> DecodeFused(InferenceSession session, DecoderLayout layout, RunOptions run, int rows, int context, int steps, List<double>? times)
    {
        var capacity = context + steps + 1;
        var buffers = layout.PastNames.Select(_ => OrtValue.CreateTensorValueFromMemory(
            new float[rows * layout.KvHeads * capacity * layout.HeadDim], [rows, layout.KvHeads, capacity, layout.HeadDim])).ToArray();
        var seqlens = new int[rows];
        var total = new int[1];
        using var seqlensValue = OrtValue.CreateTensorValueFromMemory(seqlens, [rows]);
        using var totalValue = OrtValue.CreateTensorValueFromMemory(total, []);
        using var binding = session.CreateIoBinding();
        for (var i = 0; i < buffers.Length; i++)
        {
            binding.BindInput(layout.PastNames[i], buffers[i]);
            binding.BindOutput(layout.PresentNames[i], buffers[i]);
        }
        binding.BindInput("seqlens_k", seqlensValue);
        binding.BindInput("total_sequence_length", totalValue);
        try
        {
            var ids = new List<long>();
            var tokens = Prompt(rows, context);
            var width = context;
            var past = 0;
            for (var s = 0; ; s++)
            {
                var started = Stopwatch.GetTimestamp();
                var positions = new long[rows * width];
                for (var r = 0; r < rows; r++)
                {
                    seqlens[r] = past + width - 1;
                    for (var j = 0; j < width; j++) positions[r * width + j] = past + j;
                }
                total[0] = past + width;
                using var tokensValue = OrtValue.CreateTensorValueFromMemory(tokens, [rows, width]);
                using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, [rows, width]);
                binding.BindInput("input_ids", tokensValue);
                binding.BindInput("position_ids", positionsValue);
                binding.BindOutputToDevice("logits", OrtMemoryInfo.DefaultInstance);
                session.RunWithBinding(run, binding);
                using var outputs = binding.GetOutputValues();
                var logits = outputs[^1].GetTensorDataAsSpan<float>(); // bound last
                var vocabulary = logits.Length / (rows * width);
                var next = new long[rows];
                for (var r = 0; r < rows; r++) next[r] = TokenSampler.ArgMax(logits.Slice(((r + 1) * width - 1) * vocabulary, vocabulary));
                if (s > 0) times?.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                ids.AddRange(next);
                if (s == steps) return ids;
                past += width;
                width = 1;
                tokens = next;
            }
        }
        finally
        {
            foreach (var buffer in buffers) buffer.Dispose();
        }
    }
}
