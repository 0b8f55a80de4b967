using static MlStack.Benchmarks.BenchmarkSupport;
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
/// summary's, with a bare unary round trip beside it), then aggregate tokens/s, the server's CPU time per token and
/// inter-token latency at several concurrent streams, the two servers alternating round by round so both see the same
/// machine load. CPU per token is what decides throughput on a dedicated CPU-bound host, whatever else loads this one.
/// Greedy, ignore_eos, fixed prompt and length, CPU.
///   dotnet run -c Release --project tests/Benchmarks -- generation [--models tiny-gpt,tiny-llama] [--streams 1,2,4,8,16]
///     [--tokens 128] [--rounds 15] [--ttft-requests 40] [--threads 0] [--spinning run] [--warmup-seconds 6]
/// </summary>
public static class GenerationBenchmark
{
    private const string Prompt = "Once upon a time, Anna and Ben went to the harbor.";

    public static async Task<int> RunAsync(string[] args)
    {
        var models = Option(args, "--models", "tiny-gpt,tiny-llama").Split(',');
        var streams = IntListOption(args, "--streams", "1,2,4,8,16");
        var tokens = IntOption(args, "--tokens", 128);
        var rounds = IntOption(args, "--rounds", 15);
        var ttftRequests = IntOption(args, "--ttft-requests", 40);
        var threads = Option(args, "--threads", "0");
        var spinning = SpinningOption(Option(args, "--spinning", "run"));
        var warmup = TimeSpan.FromSeconds(double.Parse(Option(args, "--warmup-seconds", "6"), CultureInfo.InvariantCulture));

        Console.WriteLine($"Load average at start: {LoadAverage()}; {Environment.ProcessorCount} cores; Execution:IntraOpNumThreads={threads} (0: one per core), AllowSpinning={spinning.Allow}, StopSpinningBetweenRuns={spinning.StopBetweenRuns}");
        await using var on = await StartServerAsync(batching: true, models, streams.Max(), threads, spinning);
        await using var off = await StartServerAsync(batching: false, models, streams.Max(), threads, spinning);
        using var onChannel = on.OpenChannel();
        using var offChannel = off.OpenChannel();
        var servers = new[]
        {
            (Name: "on", Client: new TextGeneration.TextGenerationClient(onChannel), Cpu: new ProcessCpu([("on", on.ProcessId)])),
            (Name: "off", Client: new TextGeneration.TextGenerationClient(offChannel), Cpu: new ProcessCpu([("off", off.ProcessId)])),
        };

        var ttftRows = new List<string>();
        var rows = new List<string>();
        foreach (var model in models)
        {
            foreach (var (_, client, _) in servers)
            {
                await WarmUpAsync(client, model, streams, tokens, warmup);
            }

            // Each TTFT request is paired with a unary call on the same channel: the cost of a bare gRPC round trip
            // (request to Kestrel and the service, response back to the client) under the same load.
            var ttft = new List<Sample>();
            var roundTrips = new List<double>();
            for (var i = 0; i < ttftRequests; i++)
            {
                ttft.Add(await GenerateAsync(servers[0].Client, model, 2));
                roundTrips.Add(await RoundTripAsync(servers[0].Client));
            }
            // Client TTFT = server TTFT + the server's hand-off to gRPC + the network, Kestrel and the client.
            var difference = ttft.Select(t => t.ClientTtftMs - t.ServerTtftMs).ToArray();
            ttftRows.Add($"| {model} | {Percentile(ttft.Select(t => t.ClientTtftMs), 0.5):F2} | {Percentile(ttft.Select(t => t.ServerTtftMs), 0.5):F2} | " +
                $"{Percentile(difference, 0.5):F2} | {Percentile(difference, 0.9):F2} | {Percentile(ttft.Select(t => t.ServerFirstMessageMs - t.ServerTtftMs), 0.5):F2} | " +
                $"{Percentile(ttft.Select(t => t.ClientTtftMs - t.ServerFirstMessageMs), 0.5):F2} | {Percentile(roundTrips, 0.5):F2} |");
            Console.WriteLine(ttftRows[^1]);

            // Every round measures every stream count on both servers, so a ratio to one stream compares cells measured
            // seconds apart: the machine's speed drifts over minutes (up to 1.4x here), and a cell measured after all
            // rounds of another would carry that drift into the ratio.
            var cells = new Dictionary<(int Streams, string Server), List<Cell>>();
            for (var round = 0; round < rounds; round++)
            {
                for (var s = 0; s < streams.Length; s++)
                {
                    // Alternate which server goes first, so neither always runs right after the other.
                    foreach (var (name, client, cpu) in (round + s) % 2 == 0 ? servers : servers.Reverse())
                    {
                        var before = cpu.Read();
                        var cell = await ConcurrentAsync(client, model, streams[s], tokens);
                        cell.Round = round;
                        cell.ServerCpuMsPerToken = cpu.PerUnitSince(before, cell.Tokens)[0];
                        if (!cells.TryGetValue((streams[s], name), out var list))
                        {
                            cells[(streams[s], name)] = list = [];
                        }
                        list.Add(cell);
                    }
                }
            }
            // With one stream both servers run the same path (one sequence per run), so the single-stream reference of a
            // round is the mean of both servers' one-stream cells in it.
            var single = cells.Where(c => c.Key.Streams == 1).SelectMany(c => c.Value).ToList();
            var reference = single.GroupBy(c => c.Round).ToDictionary(
                g => g.Key, g => new Reference(g.Average(c => c.TokensPerSecond), g.Average(c => c.ServerCpuMsPerToken)));
            rows.Add(Row(model, "1", "both (reference)", single, reference));
            foreach (var ((n, name), measured) in cells.OrderBy(c => c.Key.Streams).ThenBy(c => c.Key.Server == "on" ? 0 : 1))
            {
                rows.Add(Row(model, n.ToString(CultureInfo.InvariantCulture), name, measured, reference));
                Console.WriteLine(rows[^1]);
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"Time to first token, batching on, one stream, {ttftRequests} requests (prompt {Prompt.Length} characters):");
        Console.WriteLine("| model | client TTFT p50 ms | server TTFT p50 ms | difference p50 ms | difference p90 ms | of which server hand-off p50 ms | of which network, Kestrel, client p50 ms | unary gRPC round trip p50 ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        ttftRows.ForEach(Console.WriteLine);
        Console.WriteLine();
        Console.WriteLine($"Aggregate tokens/s, {tokens} new tokens per stream, median of {rounds} rounds (every stream count in every round); vs 1 stream: median of the rounds' ratios to their own single-stream reference; server CPU per token (median); " +
            "inter-token latency as the client sees it (every token, all rounds) and on the server's clock (each stream's mean, all rounds):");
        Console.WriteLine("| model | streams | batching | tokens/s | vs 1 stream | server CPU ms/token | tokens per CPU-second vs 1 stream | " +
            "client ITL p50 ms | client ITL p99 ms | server stream ITL p50 ms | server stream ITL p99 ms |");
        Console.WriteLine("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static async Task<InferenceProcess> StartServerAsync(bool batching, string[] models, int maxStreams, string threads, (bool Allow, bool StopBetweenRuns) spinning)
    {
        var settings = new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = threads,
            ["Execution:AllowSpinning"] = spinning.Allow.ToString(),
            ["Execution:StopSpinningBetweenRuns"] = spinning.StopBetweenRuns.ToString(),
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
        var produced = samples.Sum(s => s.Tokens);
        return new Cell(produced, produced / seconds, [.. samples.SelectMany(s => s.InterTokenMs)],
            [.. samples.Where(s => s.ServerTokensPerSecond > 0).Select(s => 1000 / s.ServerTokensPerSecond)]);
    }

    /// <summary>
    /// Runs every measured concurrency until <paramref name="duration"/> has passed, so that what is measured is the
    /// server in steady state: a few short requests leave the runtime promoting hot methods to optimised code (tiered
    /// compilation, its background thread then takes a core of two) while the first rounds are timed.
    /// </summary>
    private static async Task WarmUpAsync(TextGeneration.TextGenerationClient client, string model, int[] streams, int tokens, TimeSpan duration)
    {
        var started = Stopwatch.GetTimestamp();
        do
        {
            foreach (var n in streams) await ConcurrentAsync(client, model, n, tokens);
        }
        while (Stopwatch.GetElapsedTime(started) < duration);
    }

    /// <summary>Milliseconds of one ListModels call: a gRPC round trip that does no work in the service.</summary>
    private static async Task<double> RoundTripAsync(TextGeneration.TextGenerationClient client)
    {
        var started = Stopwatch.GetTimestamp();
        await client.ListModelsAsync(new ListModelsRequest());
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
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
        double clientTtft = 0, serverTtft = 0, serverFirstMessage = 0, serverTokensPerSecond = 0;
        var count = 0;
        var gaps = new List<double>(tokens);
        using var call = client.Generate(request);
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            var now = Stopwatch.GetTimestamp();
            if (message.Summary is { } summary)
            {
                (serverTtft, serverFirstMessage, serverTokensPerSecond) = (summary.TimeToFirstTokenMs, summary.TimeToFirstMessageMs, summary.TokensPerSecond);
            }
            var received = message.TokenIds.Count;
            if (received == 0) continue;
            if (count == 0)
            {
                clientTtft = Stopwatch.GetElapsedTime(started, now).TotalMilliseconds;
                received--;
            }
            if (previous != 0)
            {
                // Tokens that came with the first message have no gap of their own to measure: they are left out.
                var gap = Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds;
                for (var i = 0; i < received; i++) gaps.Add(gap / received);
            }
            count += message.TokenIds.Count;
            previous = now;
        }
        return new Sample(count, clientTtft, serverTtft, serverFirstMessage, serverTokensPerSecond, gaps);
    }

    /// <param name="ServerTokensPerSecond">The summary's decode rate: tokens after the first over the time after the first, on the server's clock.</param>
    private sealed record Sample(int Tokens, double ClientTtftMs, double ServerTtftMs, double ServerFirstMessageMs, double ServerTokensPerSecond,
        List<double> InterTokenMs);

    /// <param name="ServerStreamItlMs">Each stream's mean time between its tokens where the server produced them.</param>
    private sealed record Cell(int Tokens, double TokensPerSecond, double[] InterTokenMs, double[] ServerStreamItlMs)
    {
        public int Round { get; set; }

        public double ServerCpuMsPerToken { get; set; }
    }

    /// <summary>One round's single-stream tokens/s and server CPU per token.</summary>
    private sealed record Reference(double TokensPerSecond, double CpuMsPerToken);

    /// <summary>
    /// A table row: medians over the rounds, and the ratios to one stream as the median of each round's ratio to that
    /// round's single-stream reference.
    /// </summary>
    private static string Row(string model, string streams, string batching, List<Cell> measured, Dictionary<int, Reference> reference)
    {
        var rate = Median(measured.Select(m => m.TokensPerSecond));
        var cpuPerToken = Median(measured.Select(m => m.ServerCpuMsPerToken));
        var rateRatio = Median(measured.Select(m => m.TokensPerSecond / reference[m.Round].TokensPerSecond));
        var cpuRatio = Median(measured.Select(m => reference[m.Round].CpuMsPerToken / m.ServerCpuMsPerToken));
        var itl = measured.SelectMany(m => m.InterTokenMs).ToArray();
        var streamItl = measured.SelectMany(m => m.ServerStreamItlMs).ToArray();
        return $"| {model} | {streams} | {batching} | {rate:F1} | {rateRatio:F2}x | {cpuPerToken:F3} | {cpuRatio:F2}x | " +
            $"{Percentile(itl, 0.5):F2} | {Percentile(itl, 0.99):F2} | {Percentile(streamItl, 0.5):F2} | {Percentile(streamItl, 0.99):F2} |";
    }
}
