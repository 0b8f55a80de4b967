using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using MlStack.Inference.Embeddings;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Token-budget batches against request-count batches (issue 24), side by side in one run: all-MiniLM-L6-v2
/// embeddings per second through the Embed RPC on a mixed-length workload (one text per request, 90% of about 10
/// tokens and 10% of about 250, drawn at random by each worker), at a fixed concurrency. Two Inference.Grpc
/// processes run, one per EmbeddingBatching:Policy; rounds alternate between them (the order flips every round) so
/// machine load hits both alike. Each round also reads the server's own batch metrics (rows, padded tokens and
/// padding ratio per run), the share of all computed tokens that was padding (the texts' own tokens against the
/// padded tokens the server counted) and the load average.
/// Usage: embedding-batches [--seconds 10] [--rounds 5] [--concurrency 64] [--long-share 0.1] [--max-batch-tokens 8192]
/// </summary>
public static partial class TokenBatchingBenchmark
{
    private const int ShortTokens = 10;
    private const int LongTokens = 250;

    private static readonly string[] Words =
    [
        "river", "engine", "quiet", "market", "yellow", "garden", "signal", "winter", "copper", "thread", "window",
        "valley", "orange", "silver", "forest", "paper", "bridge", "castle", "harbor", "planet", "rocket", "meadow",
    ];

    private sealed record Round(string Policy, double PerSecond, double P50, double P99, double RowsPerRun, double TokensPerRun,
        double Padding, double PaddedShare, string Load, double[] Latencies);

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(Option(args, "--seconds", "10"), CultureInfo.InvariantCulture);
        var rounds = IntOption(args, "--rounds", 5);
        var concurrency = IntOption(args, "--concurrency", 64);
        var longShare = double.Parse(Option(args, "--long-share", "0.1"), CultureInfo.InvariantCulture);
        var budget = IntOption(args, "--max-batch-tokens", 8192);

        var model = InferenceHost.EnsureMiniLm();
        var tokenizer = EmbeddingTokenizer.Create(Path.Combine(model, "1", "vocab.txt"), lowercase: true, maxSequenceLength: 256);
        var shortTexts = Texts(tokenizer, ShortTokens, 32, seed: 1);
        var longTexts = Texts(tokenizer, LongTokens, 8, seed: 2);
        var lengths = shortTexts.Concat(longTexts).ToDictionary(t => t, t => tokenizer.Tokenize(t).Ids.Length);
        Console.WriteLine($"Texts: {shortTexts.Length} short of {Range(tokenizer, shortTexts)} tokens, {longTexts.Length} long of "
            + $"{Range(tokenizer, longTexts)} tokens, {longShare:P0} long; concurrency {concurrency}; {rounds} rounds of {seconds}s per policy; "
            + $"max_batch_tokens {budget}; {Environment.ProcessorCount} cores; load average {LoadAverage()}");

        await using var tokens = await StartServerAsync("tokens", budget);
        await using var requests = await StartServerAsync("requests", budget);
        var servers = new[] { (Name: "tokens", Server: tokens), (Name: "requests", Server: requests) };
        using var tokensChannel = tokens.OpenChannel();
        using var requestsChannel = requests.OpenChannel();
        var clients = new Dictionary<string, Embeddings.EmbeddingsClient>
        {
            ["tokens"] = new(tokensChannel),
            ["requests"] = new(requestsChannel),
        };
        using var http = new HttpClient();

        // Warm-up: every path runs until tiered compilation has settled on it (a round's worth each).
        foreach (var (name, _) in servers) await LoadAsync(clients[name], shortTexts, longTexts, lengths, longShare, concurrency, Math.Min(seconds, 5));

        var measured = new List<Round>();
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? servers : [.. servers.Reverse()];
            foreach (var (name, server) in order)
            {
                var before = await BatchMetrics.ReadAsync(http, server.HttpAddress);
                var loadBefore = LoadAverage();
                var latencies = await LoadAsync(clients[name], shortTexts, longTexts, lengths, longShare, concurrency, seconds);
                await Task.Delay(TimeSpan.FromSeconds(1)); // runs are counted just after their answers go out; the exporter caches a scrape 300 ms
                var after = await BatchMetrics.ReadAsync(http, server.HttpAddress);
                var runs = after.Runs - before.Runs;
                var result = new Round(name, latencies.Count / latencies.Seconds, Percentile(latencies.Ms, 0.5), Percentile(latencies.Ms, 0.99),
                    (after.Rows - before.Rows) / runs, (after.Tokens - before.Tokens) / runs, (after.PaddingSum - before.PaddingSum) / runs,
                    1 - latencies.Tokens / (after.Tokens - before.Tokens),
                    $"{loadBefore} → {LoadAverage()}", latencies.Ms);
                measured.Add(result);
                Console.WriteLine($"round {round + 1} {name}: {result.PerSecond:F1} embeddings/s, p50 {result.P50:F0} ms, p99 {result.P99:F0} ms, "
                    + $"{result.RowsPerRun:F1} rows and {result.TokensPerRun:F0} tokens per run, padding {result.Padding:P0} per run and {result.PaddedShare:P0} of all computed tokens, load {result.Load}");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| policy | embeddings/s (median of rounds) | rounds embeddings/s | p50 ms | p99 ms | rows per run | padded tokens per run | padding ratio per run | padding share of computed tokens |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|");
        var medians = new Dictionary<string, double>();
        foreach (var (name, _) in servers)
        {
            var own = measured.Where(r => r.Policy == name).ToList();
            var all = own.SelectMany(r => r.Latencies).ToArray();
            medians[name] = Median(own.Select(r => r.PerSecond));
            Console.WriteLine($"| {name} | {medians[name]:F1} | {string.Join(", ", own.Select(r => r.PerSecond.ToString("F1", CultureInfo.InvariantCulture)))} | "
                + $"{Percentile(all, 0.5):F0} | {Percentile(all, 0.99):F0} | {Median(own.Select(r => r.RowsPerRun)):F1} | "
                + $"{Median(own.Select(r => r.TokensPerRun)):F0} | {Median(own.Select(r => r.Padding)):P0} | {Median(own.Select(r => r.PaddedShare)):P0} |");
        }
        var ratios = Enumerable.Range(0, rounds).Select(r =>
        {
            var pair = measured.Skip(2 * r).Take(2).ToDictionary(m => m.Policy);
            return pair["tokens"].PerSecond / pair["requests"].PerSecond;
        }).ToArray();
        Console.WriteLine();
        Console.WriteLine($"tokens / requests: {medians["tokens"] / medians["requests"]:F2}x (per round: {string.Join(", ", ratios.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}); "
            + $"load average at the end {LoadAverage()}");
        return 0;
    }

    private static async Task<InferenceProcess> StartServerAsync(string policy, int budget)
    {
        var settings = new Dictionary<string, string>(InferenceProcess.EmbeddingOnly)
        {
            ["Execution:Provider"] = "cpu",
            ["ModelRepository:Path"] = RepositoryPaths.DefaultModelRepository,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["EmbeddingBatching:Policy"] = policy,
            ["EmbeddingBatching:MaxBatchTokens"] = budget.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var server = new InferenceProcess(settings, echoPrefix: $"server({policy})");
        await server.StartAsync();
        return server;
    }

    /// <summary>Closed-loop workers, each sending one text at a time until the time is up (at least two requests each).</summary>
    private static async Task<(int Count, double Seconds, double[] Ms, double Tokens)> LoadAsync(Embeddings.EmbeddingsClient client, string[] shortTexts,
        string[] longTexts, Dictionary<string, int> lengths, double longShare, int concurrency, double seconds)
    {
        var latencies = new List<double>[concurrency];
        var tokens = 0L;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var own = latencies[worker] = [];
            var random = new Random(worker * 7919 + Environment.TickCount);
            while (watch.Elapsed.TotalSeconds < seconds || own.Count < 2)
            {
                var text = random.NextDouble() < longShare ? longTexts[random.Next(longTexts.Length)] : shortTexts[random.Next(shortTexts.Length)];
                var started = Stopwatch.GetTimestamp();
                await client.EmbedAsync(new EmbedRequest { Texts = { text } });
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Add(ref tokens, lengths[text]);
            }
        }));
        var all = latencies.SelectMany(l => l).ToArray();
        return (all.Length, watch.Elapsed.TotalSeconds, all, tokens);
    }

    /// <summary>Texts of words drawn at random, each grown until the tokenizer gives it about <paramref name="tokens"/> tokens.</summary>
    private static string[] Texts(EmbeddingTokenizer tokenizer, int tokens, int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            var words = new List<string>();
            // Lengths vary a little as real texts do (8-12 and 240-256 tokens), within the model's limit.
            var spread = Math.Max(2, tokens / 25);
            var target = Math.Min(tokenizer.MaxSequenceLength, tokens + random.Next(-spread, spread + 1));
            while (tokenizer.Tokenize(string.Join(' ', words)).Ids.Length < target) words.Add(Words[random.Next(Words.Length)]);
            return string.Join(' ', words);
        })];
    }

    private static string Range(EmbeddingTokenizer tokenizer, string[] texts)
    {
        var lengths = texts.Select(t => tokenizer.Tokenize(t).Ids.Length).ToArray();
        return $"{lengths.Min()}-{lengths.Max()}";
    }

    /// <summary>The MiniLM text queue's batch metrics as one server's /metrics shows them (sums over the process's life).</summary>
    private sealed partial record BatchMetrics(double Runs, double Rows, double Tokens, double PaddingSum)
    {
        public static async Task<BatchMetrics> ReadAsync(HttpClient http, Uri server)
        {
            var text = await http.GetStringAsync(new Uri(server, "/metrics"));
            return new BatchMetrics(Read(text, "mlstack_inference_batch_tokens_count"), Read(text, "mlstack_inference_batch_size_sum"),
                Read(text, "mlstack_inference_batch_tokens_sum"), Read(text, "mlstack_inference_batch_padding_ratio_sum"));
        }

        private static double Read(string metrics, string name) =>
            Sample().Matches(metrics).Where(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains("model=\"all-MiniLM-L6-v2\"", StringComparison.Ordinal))
                .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));

        [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
        private static partial Regex Sample();
    }
}
