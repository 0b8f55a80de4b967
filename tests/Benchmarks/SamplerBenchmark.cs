using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using MlStack.Inference.Generation;

namespace MlStack.Benchmarks;

/// <summary>
/// The sampler alone (<see cref="TokenSampler"/>), per token, on logits of a Qwen-sized vocabulary (151,936): what
/// logprobs (with 0 and 20 alternatives), presence/frequency penalties and logit_bias add to picking a token, greedy and
/// sampled. The logits are drawn once from a fixed-seed normal distribution; the cases are interleaved repeat by
/// repeat so drift in the machine's load hits all alike. The decoder step of a model this size takes far longer than
/// any of these (see decoder-step), so this is the ceiling of what the options can cost.
///   dotnet run -c Release --project tests/Benchmarks -- sampler [--vocabulary 151936] [--tokens 200] [--repeats 5]
/// </summary>
public static class SamplerBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var vocabulary = IntOption(args, "--vocabulary", 151_936);
        var tokens = IntOption(args, "--tokens", 200);
        var repeats = IntOption(args, "--repeats", 5);
        var random = new Random(20261207);
        var logits = new float[vocabulary];
        for (var i = 0; i < vocabulary; i++)
        {
            // Box-Muller: normal logits with a spread like a language model's.
            logits[i] = (float)(3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }
        var bias = Enumerable.Range(0, 300).ToDictionary(i => i * 500, i => i % 2 == 0 ? -100f : 5f);
        SamplingParameters Greedy() => new(tokens, 0f, 1f, 0, 1f, 1, [], false);
        SamplingParameters Sampled() => new(tokens, 1f, 1f, 0, 1f, 1, [], false);
        var cases = new (string Name, SamplingParameters Parameters)[]
        {
            ("greedy", Greedy()),
            ("greedy + logprobs (0 alternatives)", Greedy() with { TopLogprobs = 0 }),
            ("greedy + logprobs (20 alternatives)", Greedy() with { TopLogprobs = 20 }),
            ("greedy + presence/frequency penalties + logit_bias (300 ids)", Greedy() with { PresencePenalty = 0.5f, FrequencyPenalty = 0.5f, LogitBias = bias }),
            ("temperature 1", Sampled()),
            ("temperature 1 + logprobs (20 alternatives)", Sampled() with { TopLogprobs = 20 }),
            ("temperature 1 + penalties + logit_bias + logprobs (20)", Sampled() with { PresencePenalty = 0.5f, FrequencyPenalty = 0.5f, LogitBias = bias, TopLogprobs = 20 }),
        };
        var times = cases.Select(_ => new List<double>()).ToArray();
        for (var repeat = 0; repeat <= repeats; repeat++)
        {
            for (var c = 0; c < cases.Length; c++)
            {
                var sampler = new TokenSampler(cases[c].Parameters, vocabulary, []);
                var watch = Stopwatch.StartNew();
                for (var t = 0; t < tokens; t++)
                {
                    sampler.Next(logits, out _);
                }
                if (repeat > 0) // the first round warms up the JIT
                {
                    times[c].Add(watch.Elapsed.TotalMilliseconds * 1000 / tokens);
                }
            }
        }
        Console.WriteLine($"sampler alone: {Environment.ProcessorCount} cores, load average {LoadAverage()}; vocabulary {vocabulary}, {tokens} tokens per case, median of {repeats} repeats");
        Console.WriteLine("| case | µs per token p50 | vs its plain case |");
        Console.WriteLine("|---|---:|---:|");
        for (var c = 0; c < cases.Length; c++)
        {
            var baseline = Median(times[cases[c].Parameters.IsGreedy ? 0 : 4]);
            Console.WriteLine($"| {cases[c].Name} | {Median(times[c]):F0} | {Median(times[c]) / baseline:F2}x |");
        }
        return Task.FromResult(0);
    }
}
