using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Text generation through gRPC with iteration-level batching on and off, side by side in one run: two Inference.Grpc
/// processes (Generation:IterationBatching=true / false) over the shipped repository, the client in this process,
/// HTTP/2 over loopback. For each model: time to first token as the client sees it against the server's own (the
/// summary's), then aggregate tokens/s and inter-token latency at several concurrent streams, the two servers
/// alternating round by round so both see the same machine load. Greedy, ignore_eos, fixed prompt and length, CPU.
///   dotnet run -c Release --project tests/Benchmarks -- generation [--models tiny-gpt,tiny-llama] [--streams 1,2,4,8,16]
///     [--tokens 128] [--rounds 3] [--ttft-requests 40] [--threads 1]
/// </summary>
public static class GenerationBenchmark
{
    private const string Prompt = "Once upon a time, Anna and Ben went to the harbor.";

    public static async Task<int> RunAsync(string[] args)
    {
        var models = Option(args, "--models", "tiny-gpt,tiny-llama").Split(',');
        var streams = Option(args, "--streams", "1,2,4,8,16").Split(',').Select(int.Parse).ToArray();
        var tokens = int.Parse(Option(args, "--tokens", "128"), CultureInfo.InvariantCulture);
        var rounds = int.Parse(Option(args, "--rounds", "3"), CultureInfo.InvariantCulture);
        var ttftRequests = int.Parse(Option(args, "--ttft-requests", "40"), CultureInfo.InvariantCulture);
        var threads = Option(args, "--threads", "1");

        Console.WriteLine($"Load average at start: {LoadAverage()}; {Environment.ProcessorCount} cores; Execution:IntraOpNumThreads={threads}, spinning off");
        await using var on = await StartServerAsync(batching: true, models, streams.Max(), threads);
        await using var off = await StartServerAsync(batching: false, models, streams.Max(), threads);
        using var onChannel = on.OpenChannel();
        using var offChannel = off.OpenChannel();
        var servers = new[] { ("on", new TextGeneration.TextGenerationClient(onChannel)), ("off", new TextGeneration.TextGenerationClient(offChannel)) };

        var ttftRows = new List<string>();
        var rows = new List<string>();
        foreach (var model in models)
        {
            foreach (var (_, client) in servers)
            {
                await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => GenerateAsync(client, model, 16))); // warm-up: JIT, connections, arenas
            }

            var ttft = new List<Sample>();
            for (var i = 0; i < ttftRequests; i++)
            {
                ttft.Add(await GenerateAsync(servers[0].Item2, model, 2));
            }
            // Client TTFT = server TTFT + the server's hand-off to gRPC + the network, Kestrel and the client.
            var difference = ttft.Select(t => t.ClientTtftMs - t.ServerTtftMs).ToArray();
            ttftRows.Add($"| {model} | {Percentile(ttft.Select(t => t.ClientTtftMs), 0.5):F2} | {Percentile(ttft.Select(t => t.ServerTtftMs), 0.5):F2} | " +
                $"{Percentile(difference, 0.5):F2} | {Percentile(difference, 0.9):F2} | {Percentile(ttft.Select(t => t.ServerFirstMessageMs - t.ServerTtftMs), 0.5):F2} | " +
                $"{Percentile(ttft.Select(t => t.ClientTtftMs - t.ServerFirstMessageMs), 0.5):F2} |");
            Console.WriteLine(ttftRows[^1]);

            double? single = null;
            foreach (var n in streams)
            {
                var cells = servers.ToDictionary(s => s.Item1, _ => new List<Cell>());
                for (var round = 0; round < rounds; round++)
                {
                    // Alternate which server goes first, so neither always runs right after the other.
                    foreach (var (name, client) in round % 2 == 0 ? servers : servers.Reverse())
                    {
                        cells[name].Add(await ConcurrentAsync(client, model, n, tokens));
                    }
                }
                foreach (var (name, measured) in cells)
                {
                    var rate = measured.Select(m => m.TokensPerSecond).Order().ElementAt(measured.Count / 2);
                    var itl = measured.SelectMany(m => m.InterTokenMs).ToArray();
                    if (name == "on" && n == 1) single = rate;
                    var speedup = name == "on" && single is { } baseline ? $"{rate / baseline:F2}x" : "";
                    rows.Add($"| {model} | {n} | {name} | {rate:F1} | {speedup} | {Percentile(itl, 0.5):F2} | {Percentile(itl, 0.99):F2} |");
                    Console.WriteLine(rows[^1]);
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"Time to first token, batching on, one stream, {ttftRequests} requests (prompt {Prompt.Length} characters):");
        Console.WriteLine("| model | client TTFT p50 ms | server TTFT p50 ms | difference p50 ms | difference p90 ms | of which server hand-off p50 ms | of which network, Kestrel, client p50 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        ttftRows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"Aggregate tokens/s, {tokens} new tokens per stream, median of {rounds} rounds; inter-token latency over all rounds:");
        Console.WriteLine("| model | streams | batching | tokens/s | vs 1 stream (on) | ITL p50 ms | ITL p99 ms |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<InferenceProcess> StartServerAsync(bool batching, string[] models, int maxStreams, string threads)
    {
        var settings = new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = threads,
            // Idle intra-op threads would spin on the cores the other server, gRPC and the client need.
            ["Execution:AllowSpinning"] = "false",
            ["ModelRepository:Path"] = RepositoryPaths.DefaultModelRepository,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["Generation:IterationBatching"] = batching.ToString(),
            ["Generation:MaxConcurrentSequences"] = maxStreams.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        for (var i = 0; i < models.Length; i++) settings[$"ModelRepository:Models:{i}"] = models[i];
        var server = new InferenceProcess(settings, echoPrefix: batching ? "server(on)" : "server(off)");
        await server.StartAsync();
        return server;
    }

    private static async Task<Cell> ConcurrentAsync(TextGeneration.TextGenerationClient client, string model, int streams, int tokens)
    {
        var started = Stopwatch.GetTimestamp();
        var samples = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(() => GenerateAsync(client, model, tokens))));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Cell(samples.Sum(s => s.Tokens) / seconds, [.. samples.SelectMany(s => s.InterTokenMs)]);
    }

    /// <summary>
    /// One greedy stream. Inter-token latency is measured where the client sees tokens: when a message carries k
    /// tokens (the server writes what accumulated while the previous write was in flight), each counts gap / k.
    /// </summary>
    private static async Task<Sample> GenerateAsync(TextGeneration.TextGenerationClient client, string model, int tokens)
    {
        var request = new GenerateRequest
        {
            Model = model,
            Prompt = Prompt,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = tokens, IgnoreEos = true },
        };
        var started = Stopwatch.GetTimestamp();
        long previous = 0;
        double clientTtft = 0, serverTtft = 0, serverFirstMessage = 0;
        var count = 0;
        var gaps = new List<double>(tokens);
        using var call = client.Generate(request);
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            var now = Stopwatch.GetTimestamp();
            if (message.Summary is { } summary) (serverTtft, serverFirstMessage) = (summary.TimeToFirstTokenMs, summary.TimeToFirstMessageMs);
            var received = message.TokenIds.Count;
            if (received == 0) continue;
            if (count == 0)
            {
                clientTtft = Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
                received--;
            }
            var gap = Stopwatch.GetElapsedTime(previous == 0 ? now : previous, now).TotalMilliseconds;
            for (var i = 0; i < received; i++) gaps.Add(gap / received);
            count += message.TokenIds.Count;
            previous = now;
        }
        return new Sample(count, clientTtft, serverTtft, serverFirstMessage, gaps);
    }

    private sealed record Sample(int Tokens, double ClientTtftMs, double ServerTtftMs, double ServerFirstMessageMs, List<double> InterTokenMs);

    private sealed record Cell(double TokensPerSecond, double[] InterTokenMs);

    private static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
