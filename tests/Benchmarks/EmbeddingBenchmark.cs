using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlStack.Inference.Embeddings;
using MlStack.Inference.Execution;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;
using MlStack.Inference.V2;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Embeddings per second through the Embed RPC (one text per request) at several concurrencies, with dynamic
/// batching on and off, against in-process ONNX Runtime on the same model at batch 32 (tokenize, pad, run,
/// pool: the same work without gRPC or queueing), all in one run.
/// Usage: embeddings [--seconds 3] [--rounds 3] [--concurrency 1,8,64] [--no-spinning]
/// </summary>
public static class EmbeddingBenchmark
{
    private const string ShortText = "A man is eating food.";

    // About 120 WordPiece tokens.
    private static readonly string LongText = string.Join(' ', Enumerable.Repeat(
        "Dynamic batching merges concurrent requests into one padded run so the hardware does more useful work per call.", 6));

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = double.Parse(Option(args, "--seconds", "3"), CultureInfo.InvariantCulture);
        var rounds = IntOption(args, "--rounds", 3);
        var concurrencies = IntListOption(args, "--concurrency", "1,8,64");
        var solution = RepositoryPaths.Root;
        var repository = Path.Combine(solution, "Inference.Grpc", "models");
        new MiniLmModelInstaller(NullLogger<MiniLmModelInstaller>.Instance).EnsureInstalled(repository);

        var model = Path.Combine(repository, MiniLmModelInstaller.ModelName);
        var tokenizer = EmbeddingTokenizer.Create(Path.Combine(model, "1", "vocab.txt"), lowercase: true, maxSequenceLength: 256);
        Console.WriteLine($"Texts: short = {tokenizer.Tokenize(ShortText).Ids.Length} tokens, long = {tokenizer.Tokenize(LongText).Ids.Length} tokens; {rounds} rounds of {seconds}s per cell; {Environment.ProcessorCount} cores");

        // The baseline is measured again right before each gRPC cell, so both sides of a ratio see the same machine load.
        var spinning = !args.Contains("--no-spinning");
        var factory = new OrtSessionFactory(Options.Create(new ExecutionOptions { AllowSpinning = spinning }), NullLogger<OrtSessionFactory>.Instance);
        using var session = factory.Create(Path.Combine(model, "1", "model.onnx"));
        Console.WriteLine($"Execution provider: {session.Provider} ({session.ProviderReason}); intra-op spinning {(spinning ? "on" : "off")}");
        var runner = new EmbeddingRunner(session.Session, "mean");

        var rows = new List<string>();
        foreach (var batching in new[] { true, false })
        {
            var port = StartServer(solution, batching, spinning);
            using var channel = KeyedChannel.Open(new Uri($"http://127.0.0.1:{port}"), BenchmarkKey);
            await WaitReadyAsync(channel);
            var client = new MlStack.Inference.V1.Embeddings.EmbeddingsClient(channel);
            foreach (var (kind, text) in new[] { ("short", ShortText), ("long", LongText) })
            {
                foreach (var concurrency in concurrencies)
                {
                    // Rounds alternate baseline and gRPC; the row reports the round with the median ratio.
                    var measured = new List<(double Baseline, double PerSecond, double P50, double P99)>();
                    for (var round = 0; round < rounds; round++)
                    {
                        var baseline = InProcess(runner, tokenizer, text, 32, seconds);
                        var (perSecond, p50, p99) = await ThroughGrpcAsync(client, text, concurrency, seconds);
                        measured.Add((baseline, perSecond, p50, p99));
                    }
                    var median = measured.OrderBy(m => m.PerSecond / m.Baseline).ElementAt(measured.Count / 2);
                    rows.Add($"| {kind} | {(batching ? "on" : "off")} | {concurrency} | {median.PerSecond:F1} | {median.P50:F1} | {median.P99:F1} | {median.Baseline:F1} | {median.PerSecond / median.Baseline:F2}x |");
                    Console.WriteLine(rows[^1]);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| texts | batching | concurrency | gRPC embeddings/s | p50 ms | p99 ms | in-process ORT batch 32 embeddings/s | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        Environment.Exit(0); // the in-process servers have no stop handle; the run is over
        return 0;
    }

    private static double InProcess(EmbeddingRunner runner, EmbeddingTokenizer tokenizer, string text, int batch, double seconds)
    {
        void Once()
        {
            var ids = new int[batch][];
            for (var i = 0; i < batch; i++) ids[i] = tokenizer.Tokenize(text).Ids;
            runner.Execute([new EmbeddingWork(ids, CancellationToken.None)]);
        }
        Once(); // warm-up
        var watch = Stopwatch.StartNew();
        var embedded = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            Once();
            embedded += batch;
        }
        return embedded / watch.Elapsed.TotalSeconds;
    }

    private static async Task<(double PerSecond, double P50, double P99)> ThroughGrpcAsync(
        MlStack.Inference.V1.Embeddings.EmbeddingsClient client, string text, int concurrency, double seconds)
    {
        var request = new EmbedRequest { Texts = { text } };
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ => await client.EmbedAsync(request))); // warm-up

        var latencies = new List<double>[concurrency];
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var own = latencies[worker] = [];
            // At least two requests per worker, so slow cells still measure full rounds rather than a fraction of one.
            while (watch.Elapsed.TotalSeconds < seconds || own.Count < 2)
            {
                var started = Stopwatch.GetTimestamp();
                await client.EmbedAsync(request);
                own.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = watch.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return (all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static readonly string BenchmarkKey = InferenceHost.NewKey("benchmark");

    /// <summary>Runs the real Inference.Grpc host in this process on a free port (its Main on its own thread).</summary>
    private static int StartServer(string solution, bool batching, bool spinning)
    {
        var port = FreePort.Next();
        string[] args =
        [
            "--contentRoot", Path.Combine(solution, "Inference.Grpc"),
            $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{FreePort.Next()}",
            $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{port}",
            $"--ModelRepository:DynamicBatching={batching}",
            $"--Execution:AllowSpinning={spinning}",
            "--Logging:LogLevel:Default=Warning",
            $"--Inference:ApiKey={BenchmarkKey}",
        ];
        var entry = typeof(ModelRepository).Assembly.EntryPoint!;
        new Thread(() => entry.Invoke(null, [args])) { IsBackground = true }.Start();
        return port;
    }

    private static async Task WaitReadyAsync(GrpcChannel channel)
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            try
            {
                if ((await client.ServerReadyAsync(new ServerReadyRequest())).Ready) return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The server did not become ready.");
            await Task.Delay(200);
        }
    }
}
