using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Constraints;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Structured outputs' cost (constrained decoding) on Qwen's 151,936-column vocabulary, in two parts side by side:
/// (1) the mask step alone: JSON documents of a schema, tokenized by the Qwen tokenizer, replayed token by token through
/// the grammar (the mask for each step with its budget check, the sampler applying it to 151,936 logits, the state
/// advancing), first with an empty mask cache and then warm; (2) where the Qwen2.5-0.5B-shaped model is built, the engine
/// in-process (TextGenerator, scheduler, ONNX Runtime on CPU) decoding the same prompt unconstrained and constrained by
/// the schema, alternating round by round, temperature 1 without top-k/top-p on both sides: decode tokens/s and the ratio.
///   dotnet run -c Release --project tests/Benchmarks -- structured-outputs [--model-dir ~/.cache/mlstack/models/qwen2.5-0.5b-shaped/optimum-fp32]
///     [--documents 40] [--tokens 64] [--rounds 4] [--threads 0] [--end-to-end true|false]
/// </summary>
public static class StructuredOutputBenchmark
{
    public const string Schema = MovieSchema.Text;

    private static readonly string[] Words = ["harbor", "night", "Anna", "Ben", "glass", "river", "Zoë", "北京", "storm", "quiet", "\"quoted\"", "line\nbreak", "café", "7"];

    public static async Task<int> RunAsync(string[] args)
    {
        var modelDirectory = Option(args, "--model-dir", Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlstack", "models", "qwen2.5-0.5b-shaped", "optimum-fp32"));
        var documents = IntOption(args, "--documents", 40);
        var tokens = IntOption(args, "--tokens", 64);
        var rounds = IntOption(args, "--rounds", 4);
        var threads = Option(args, "--threads", "0");
        var endToEnd = Option(args, "--end-to-end", "true") == "true";
        var hasModel = File.Exists(Path.Combine(modelDirectory, "model.onnx"));
        var tokenizerDirectory = hasModel ? modelDirectory : TokenizerReferences.Family("Qwen3").Directory;

        Console.WriteLine($"structured outputs: {Environment.ProcessorCount} cores, load average {LoadAverage()}; tokenizer {tokenizerDirectory}");
        MaskStep(tokenizerDirectory, documents);
        if (hasModel && endToEnd)
        {
            await EndToEndAsync(modelDirectory, tokens, rounds, threads);
        }
        else
        {
            Console.WriteLine($"End-to-end part skipped (--end-to-end false, or no model at {modelDirectory}): compare the mask time per token with the decoder step time.");
        }
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return 0;
    }

    private static void MaskStep(string tokenizerDirectory, int documentCount)
    {
        const int vocabulary = 151_936;
        var tokenizer = ModelTokenizer.Load(tokenizerDirectory);
        var watch = Stopwatch.StartNew();
        var trie = new VocabularyTrie(tokenizer, vocabulary, new HashSet<int> { 151_645, 151_643 });
        var trieMs = watch.Elapsed.TotalMilliseconds;
        var masks = new TokenMasks(new JsonGrammar(new OutputConstraint { Schema = JsonDocument.Parse(Schema).RootElement.Clone(), Strict = true }), trie);
        Console.WriteLine($"vocabulary trie: {trie.NodeCount} nodes over {tokenizer.Count} tokens, built in {trieMs:F0} ms (once per model, on the first constrained request)");

        var random = new Random(1);
        var sampler = new TokenSampler(new SamplingParameters(4096, 1f, 1f, 0, 1f, 7, [], false), vocabulary, []);
        var logits = new float[vocabulary];
        for (var i = 0; i < logits.Length; i++) logits[i] = (float)(random.NextDouble() * 20 - 10);

        var maskMs = new List<double>[2] { [], [] };
        var plainSampleMs = new List<double>();
        var maskedSampleMs = new List<double>();
        for (var d = 0; d < documentCount; d++)
        {
            var document = Document(random);
            var ids = tokenizer.Encode(document, specialTokens: false, int.MaxValue, out _);
            var output = new ConstrainedOutput(masks);
            for (var t = 0; t < ids.Count; t++)
            {
                var start = Stopwatch.GetTimestamp();
                var mask = output.Next(4096 - t - 1);
                var masked = Stopwatch.GetTimestamp();
                sampler.Next(logits, mask);
                var sampled = Stopwatch.GetTimestamp();
                output.Accept(ids[t]);
                var end = Stopwatch.GetTimestamp();
                if (!mask.Allows(ids[t])) throw new InvalidOperationException($"token {ids[t]} of a valid document was masked: {document}");
                maskMs[d == 0 ? 0 : 1].Add(Ms(start, masked) + Ms(sampled, end));
                maskedSampleMs.Add(Ms(masked, sampled));
                var plain = Stopwatch.GetTimestamp();
                sampler.Next(logits);
                plainSampleMs.Add(Ms(plain, Stopwatch.GetTimestamp()));
            }
            if (!output.IsDone) throw new InvalidOperationException($"the grammar did not end with the document: {document}");
        }
        Console.WriteLine($"mask step per token on {documentCount} documents ({maskMs[0].Count + maskMs[1].Count} tokens), ms: mask + state advance, the sampler with and without the mask");
        Console.WriteLine("| part | tokens | mean | p50 | p99 | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        Row("mask + advance, first document (cold cache)", maskMs[0]);
        Row("mask + advance, later documents (warm cache)", maskMs[1]);
        Row("sampler with the mask applied", maskedSampleMs);
        Row("sampler without a mask", plainSampleMs);
        Console.WriteLine($"masks computed {masks.Computed}, served from the cache {masks.Hits}");
    }

    private static void Row(string name, List<double> ms) =>
        Console.WriteLine($"| {name} | {ms.Count} | {ms.Average():F3} | {Percentile(ms, 0.5):F3} | {Percentile(ms, 0.99):F3} | {ms.Max():F3} |");

    private static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    private static string Document(Random random)
    {
        string Word() => Words[random.Next(Words.Length)];
        var cast = Enumerable.Range(0, random.Next(1, 4)).Select(_ => new Dictionary<string, object?> { ["name"] = $"{Word()} {Word()}", ["lead"] = random.Next(2) == 0 }).ToList();
        var film = new Dictionary<string, object?>
        {
            ["title"] = $"The {Word()} of {Word()}",
            ["year"] = random.Next(1900, 2030),
            ["rating"] = Math.Round(random.NextDouble() * 10, 1),
            ["genre"] = new[] { "drama", "comedy", "horror" }[random.Next(3)],
            ["cast"] = cast,
            ["sequel"] = random.Next(2) == 0 ? null : $"{Word()} II",
            ["studio"] = new Dictionary<string, object?> { ["name"] = Word(), ["city"] = random.Next(3) == 0 ? null : Word() },
        };
        // A space after ':' and ',' as models tend to write it (the grammar allows one).
        return JsonSerializer.Serialize(film, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace("\":", "\": ").Replace(",\"", ", \"");
    }

    private static async Task EndToEndAsync(string modelDirectory, int tokens, int rounds, string threads)
    {
        using var repository = new TestDirectory("mlstack-structured-bench-");
        var model = Directory.CreateDirectory(Path.Combine(repository.Path, "qwen-shaped")).FullName;
        File.WriteAllText(Path.Combine(model, "model.json"), """{"task": "text-generation"}""");
        Directory.CreateSymbolicLink(Path.Combine(model, "1"), modelDirectory);
        var host = new BenchmarkHost(repository.Path, threads);
        var load = Stopwatch.StartNew();
        await host.InitializeAsync();
        try
        {
            Console.WriteLine($"end to end: Qwen2.5-0.5B-shaped (optimum fp32) loaded in {load.Elapsed.TotalSeconds:F0} s; {tokens} new tokens per request, temperature 1, top_p 1, top_k 0, one stream");
            var generator = host.Services.GetRequiredService<TextGenerator>();
            var constraint = new OutputConstraint { Schema = JsonDocument.Parse(Schema).RootElement.Clone(), Strict = true };
            var plain = new List<double>();
            var constrained = new List<double>();
            var constrainedTokens = new List<int>();
            await RunAsync(generator, null, tokens, 0); // warm-up: arenas, kernels, the vocabulary trie
            await RunAsync(generator, constraint, tokens, 0);
            for (var round = 1; round <= rounds; round++)
            {
                plain.Add((await RunAsync(generator, null, tokens, (ulong)round)).TokensPerSecond);
                var result = await RunAsync(generator, constraint, tokens, (ulong)round);
                constrained.Add(result.TokensPerSecond);
                constrainedTokens.Add(result.CompletionTokens);
            }
            Console.WriteLine("| decoding | rounds | tokens/s (median) | tokens/s per round | vs unconstrained |");
            Console.WriteLine("|---|---:|---:|---|---:|");
            Console.WriteLine($"| unconstrained (ignore_eos) | {rounds} | {Median(plain):F2} | {string.Join(", ", plain.Select(v => v.ToString("F2")))} | 1.00x |");
            Console.WriteLine($"| json_schema (strict) | {rounds} | {Median(constrained):F2} | {string.Join(", ", constrained.Select(v => v.ToString("F2")))} | {Median(constrained) / Median(plain):F3}x |");
            Console.WriteLine($"constrained answers' lengths (tokens): {string.Join(", ", constrainedTokens)}");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<GenerationResult> RunAsync(TextGenerator generator, OutputConstraint? constraint, int tokens, ulong seed)
    {
        using var stream = generator.Start(new GenerationRequest
        {
            Prompt = "Describe a film as JSON:",
            Parameters = new RequestedParameters { Temperature = 1, TopP = 1, TopK = 0, RepetitionPenalty = 1, Seed = seed, MaxNewTokens = tokens, IgnoreEos = constraint is null },
            Constraint = constraint,
        });
        GenerationResult? result = null;
        await foreach (var step in stream) result ??= step.Result;
        return result!;
    }

    /// <summary>The service in-process over a repository holding the Qwen-shaped model alone, on CPU.</summary>
    private sealed class BenchmarkHost(string repository, string threads) : InferenceHost
    {
        public override string RepositoryPath => repository;

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("Execution:Provider", "cpu"),
            new("Execution:IntraOpNumThreads", threads),
            new("ModelRepository:InstallDefaultModel", "false"),
        ];
    }
}
