using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// MlStack against onnxruntime-genai 0.20.0 (tests/Benchmarks.GenAI, its own generator loop in a process of its own)
/// on the Qwen2.5-0.5B-shaped model tools/model-builder writes into the cache folder, CPU, the same intra-op thread
/// count on both sides, the same prompt ids:
///   1. load: time and peak resident memory per layout, each in a fresh process (the server from process start to
///      ready, its empty-repository start beside it; the peer from Config to Model);
///   2. one stream: TTFT and decode tokens/s at each prompt length, MlStack's scheduler in this process against the peer,
///      alternating which goes first round by round, and whether both chose the same greedy ids;
///   3. streams: MlStack's aggregate tokens/s and inter-token latency at 1..16 concurrent streams (the peer's C# API has
///      no continuous batching: its single stream is the reference).
///   dotnet run -c Release --project tests/Benchmarks -- genai-peer [--root ~/.cache/mlstack/models/qwen2.5-0.5b-shaped]
///     [--layout genai-int4] [--load-layouts genai-int4,optimum-fp32,...] [--threads 2] [--prompt-lengths 128,1024]
///     [--tokens 32] [--rounds 2] [--streams 1,2,4,8,16] [--stream-prompt 32] [--stream-tokens 32] [--skip load,single,streams]
/// </summary>
public static class GenAIPeerBenchmark
{
    /// <summary>Below Qwen's first special token (151643): prompts of ordinary ids, the same on both sides.</summary>
    private const int OrdinaryIds = 151_643;

    public static async Task<int> RunAsync(string[] args)
    {
        var root = Option(args, "--root", Path.Combine(Environment.GetEnvironmentVariable("MLSTACK_MODEL_CACHE")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mlstack", "models"), "qwen2.5-0.5b-shaped"));
        var layout = Option(args, "--layout", "genai-int4");
        var loadLayouts = Option(args, "--load-layouts", "genai-int4,genai-fp32,optimum-fp32,optimum-int8,optimum-fp16").Split(',')
            .Where(l => Directory.Exists(Path.Combine(root, l))).ToArray();
        var threads = IntOption(args, "--threads", 2);
        var promptLengths = IntListOption(args, "--prompt-lengths", "128,1024");
        var tokens = IntOption(args, "--tokens", 32);
        var rounds = IntOption(args, "--rounds", 2);
        var streams = IntListOption(args, "--streams", "1,2,4,8,16");
        var streamPrompt = IntOption(args, "--stream-prompt", 32);
        var streamTokens = IntOption(args, "--stream-tokens", 32);
        var skip = Option(args, "--skip", "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        if (!File.Exists(GenAIPeerProcess.Dll))
        {
            Console.Error.WriteLine($"the peer is not built: dotnet build tests/Benchmarks.GenAI -c {RepositoryPaths.Configuration}");
            return 2;
        }

        Console.WriteLine($"genai-peer: {root}, {Environment.ProcessorCount} cores, load average {LoadAverage()}, {threads} intra-op threads on both sides, CPU");
        if (!skip.Contains("load")) await LoadAsync(root, loadLayouts, threads);

        var random = new Random(0);
        int[] Prompt(int length) => [.. Enumerable.Range(0, length).Select(_ => random.Next(OrdinaryIds))];
        var prompts = promptLengths.Select(Prompt).ToList();
        var streamPromptIds = Prompt(streamPrompt);

        if (skip.Contains("single") && skip.Contains("streams")) return 0;
        var host = new LayoutHost(root, [layout], threads);
        try
        {
            await host.InitializeAsync();
            var model = host.Services.GetRequiredService<GeneratorCatalog>().Resolve(layout);
            Console.WriteLine($"MlStack serves {layout} as {model.Layout.Format}; load average {LoadAverage()}");

            var peerSingle = double.NaN;
            if (!skip.Contains("single"))
            {
                peerSingle = await SingleStreamAsync(model, Path.Combine(root, layout), prompts, streamPromptIds, tokens, rounds, threads);
            }
            if (!skip.Contains("streams")) await StreamsAsync(model, streamPromptIds, streams, streamTokens, rounds, peerSingle);
        }
        finally
        {
            await host.DisposeAsync();
        }
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        return 0;
    }

    private static async Task LoadAsync(string root, string[] layouts, int threads)
    {
        Console.WriteLine();
        Console.WriteLine("Load, each in a fresh process: MlStack's server from process start to /health ready with only that model; " +
            "onnxruntime-genai from Config to Model. Peak RSS: VmHWM.");
        Console.WriteLine("| layout | files GB | MlStack start to ready s | MlStack peak RSS GB | onnxruntime-genai load s | onnxruntime-genai peak RSS GB |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        var (emptySeconds, emptyRss) = await ServerLoadAsync(root, null, threads);
        Console.WriteLine($"| (no model: the server alone) | 0 | {emptySeconds:F1} | {emptyRss / 1e9:F2} | | |");
        foreach (var layout in layouts)
        {
            var folder = Path.Combine(root, layout);
            var bytes = Directory.EnumerateFiles(folder).Sum(f => new FileInfo(f).Length);
            var (seconds, rss) = await ServerLoadAsync(root, layout, threads);
            var peer = "| | |";
            if (File.Exists(Path.Combine(folder, "genai_config.json")))
            {
                var report = await GenAIPeerProcess.RunAsync(folder, [[1, 2, 3, 4, 5, 6, 7, 8]], 1, threads, TimeSpan.FromMinutes(5), warmup: 0);
                peer = $"| {report.LoadSeconds:F1} | {report.PeakRssAfterLoadBytes / 1e9:F2} |";
            }
            Console.WriteLine($"| {layout} | {bytes / 1e9:F2} | {seconds:F1} | {rss / 1e9:F2} {peer}");
        }
    }

    /// <summary>Starts the server on a repository holding only the layout (or nothing) and reads its peak RSS once ready.</summary>
    private static async Task<(double Seconds, long PeakRss)> ServerLoadAsync(string root, string? layout, int threads)
    {
        using var repository = new TestDirectory("mlstack-peer-load-");
        var settings = new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = threads.ToString(CultureInfo.InvariantCulture),
            ["ModelRepository:Path"] = repository.Path,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (layout is not null)
        {
            LayoutHost.Link(repository.Path, root, layout);
            settings["ModelRepository:Models:0"] = layout;
        }
        var started = Stopwatch.GetTimestamp();
        await using var server = new InferenceProcess(settings);
        await server.StartAsync(TimeSpan.FromMinutes(5));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return (seconds, PeakRss(server.ProcessId));
    }

    /// <summary>TTFT and decode tokens/s per prompt length, both sides, rounds alternating which goes first. Returns the peer's decode tokens/s at the stream prompt.</summary>
    private static async Task<double> SingleStreamAsync(GeneratorModel model, string folder, List<int[]> prompts, int[] streamPrompt, int tokens, int rounds, int threads)
    {
        var all = prompts.Append(streamPrompt).ToList();
        await MlStackRunAsync(model, all[0], Math.Min(tokens, 8)); // warm-up: arenas, kernels, tiered compilation
        var mlstack = all.Select(_ => new List<Run>()).ToList();
        var peer = all.Select(_ => new List<GenAIPeerRun>()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            async Task MlStackRoundAsync()
            {
                for (var i = 0; i < all.Count; i++) mlstack[i].Add(await MlStackRunAsync(model, all[i], tokens));
            }
            async Task PeerRoundAsync()
            {
                var report = await GenAIPeerProcess.RunAsync(folder, all, tokens, threads, TimeSpan.FromMinutes(10), ignoreEos: true);
                for (var i = 0; i < all.Count; i++) peer[i].Add(report.Runs[i]);
            }
            if (round % 2 == 0) { await MlStackRoundAsync(); await PeerRoundAsync(); }
            else { await PeerRoundAsync(); await MlStackRoundAsync(); }
        }

        Console.WriteLine();
        Console.WriteLine($"One stream, {tokens} new tokens, greedy, eos ignored; medians of {rounds} rounds; decode tokens/s: tokens after the first over the time after the first:");
        Console.WriteLine("| prompt tokens | MlStack TTFT ms | onnxruntime-genai TTFT ms | TTFT ratio (genai / MlStack) | MlStack decode tokens/s | onnxruntime-genai decode tokens/s | tokens/s ratio (MlStack / genai) | same greedy ids |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---|");
        for (var i = 0; i < all.Count; i++)
        {
            var (ttft, peerTtft) = (Median(mlstack[i].Select(r => r.TtftMs)), Median(peer[i].Select(r => r.TtftMs)));
            var (rate, peerRate) = (Median(mlstack[i].Select(r => r.DecodeTokensPerSecond)), Median(peer[i].Select(r => r.DecodeTokensPerSecond)));
            var same = mlstack[i][0].Ids.SequenceEqual(peer[i][0].GeneratedIds) ? "yes" : $"first {mlstack[i][0].Ids.Zip(peer[i][0].GeneratedIds).TakeWhile(p => p.First == p.Second).Count()}";
            Console.WriteLine($"| {all[i].Length} | {ttft:F0} | {peerTtft:F0} | {peerTtft / ttft:F2}x | {rate:F2} | {peerRate:F2} | {rate / peerRate:F2}x | {same} |");
        }
        return Median(peer[^1].Select(r => r.DecodeTokensPerSecond));
    }

    private static async Task StreamsAsync(GeneratorModel model, int[] prompt, int[] streams, int tokens, int rounds, double peerSingle)
    {
        var cells = streams.ToDictionary(n => n, _ => new List<(double Rate, double[] Itl)>());
        await Task.WhenAll(Enumerable.Range(0, streams.Max()).Select(_ => MlStackRunAsync(model, prompt, 4))); // warm-up at full width
        for (var round = 0; round < rounds; round++)
        {
            foreach (var n in streams)
            {
                var started = Stopwatch.GetTimestamp();
                var runs = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Task.Run(() => MlStackRunAsync(model, prompt, tokens))));
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                cells[n].Add((runs.Sum(r => r.Ids.Count) / seconds, [.. runs.SelectMany(r => r.InterTokenMs)]));
            }
        }
        var single = Median(cells[streams.Min()].Select(c => c.Rate));
        var singleItl = cells[streams.Min()].SelectMany(c => c.Itl).ToArray();
        Console.WriteLine();
        Console.WriteLine($"Streams: MlStack, {prompt.Length}-token prompts, {tokens} new tokens each, all submitted at once; aggregate tokens/s (prefill included) median of {rounds} rounds; " +
            $"inter-token latency over every token of every round; onnxruntime-genai's single-stream decode rate at the same prompt: {peerSingle:F2} tokens/s");
        Console.WriteLine("| streams | tokens/s | vs 1 stream | vs onnxruntime-genai single stream | ITL p50 ms | ITL p99 ms | ITL p50 vs 1 stream | ITL p99 vs 1 stream |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in streams)
        {
            var rate = Median(cells[n].Select(c => c.Rate));
            var itl = cells[n].SelectMany(c => c.Itl).ToArray();
            Console.WriteLine($"| {n} | {rate:F2} | {rate / single:F2}x | {rate / peerSingle:F2}x | {Percentile(itl, 0.5):F1} | {Percentile(itl, 0.99):F1} | " +
                $"{Percentile(itl, 0.5) / Percentile(singleItl, 0.5):F2}x | {Percentile(itl, 0.99) / Percentile(singleItl, 0.99):F2}x |");
        }
    }

    private sealed record Run(List<int> Ids, double TtftMs, double DecodeTokensPerSecond, List<double> InterTokenMs);

    /// <summary>One greedy sequence through MlStack's scheduler, timed where its tokens come out.</summary>
    private static async Task<Run> MlStackRunAsync(GeneratorModel model, int[] prompt, int tokens)
    {
        var started = Stopwatch.GetTimestamp();
        var sequence = model.Scheduler.Submit(prompt, new SamplingParameters(tokens, 0f, 1f, 0, 1f, 0, [], IgnoreEos: true));
        var ids = new List<int>(tokens);
        var gaps = new List<double>(tokens);
        long first = 0, previous = 0;
        await foreach (var token in sequence.Tokens.ReadAllAsync())
        {
            var now = Stopwatch.GetTimestamp();
            if (ids.Count == 0) first = now;
            else gaps.Add(Stopwatch.GetElapsedTime(previous, now).TotalMilliseconds);
            previous = now;
            ids.Add(token.Id);
        }
        var decodeSeconds = Stopwatch.GetElapsedTime(first, previous).TotalSeconds;
        return new Run(ids, Stopwatch.GetElapsedTime(started, first).TotalMilliseconds, gaps.Count / decodeSeconds, gaps);
    }

    private static long PeakRss(int processId)
    {
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }
        return -1;
    }

    /// <summary>The server in this process over a repository of links to the cache folder's layouts.</summary>
    private sealed class LayoutHost(string root, string[] layouts, int threads) : InferenceHost
    {
        private readonly TestDirectory _repository = new("mlstack-peer-bench-");

        public override string RepositoryPath => _repository.Path;

        protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
        [
            new("Execution:Provider", "cpu"),
            new("Execution:IntraOpNumThreads", threads.ToString(CultureInfo.InvariantCulture)),
            new("ModelRepository:InstallDefaultModel", "false"),
            new("Generation:MaxConcurrentSequences", "16"),
            new("Logging:LogLevel:Default", "Warning"),
            // Readiness is polled while the model loads: those "unhealthy" reports are expected, not news.
            new("Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks", "None"),
            .. layouts.Select((l, i) => new KeyValuePair<string, string?>($"ModelRepository:Models:{i}", l)),
        ];

        public override Task InitializeAsync()
        {
            foreach (var layout in layouts) Link(_repository.Path, root, layout);
            return base.InitializeAsync();
        }

        public static void Link(string repository, string root, string layout)
        {
            var model = Directory.CreateDirectory(Path.Combine(repository, layout)).FullName;
            File.WriteAllText(Path.Combine(model, "model.json"), """{ "task": "text-generation" }""");
            Directory.CreateSymbolicLink(Path.Combine(model, "1"), Path.Combine(root, layout));
        }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            _repository.Dispose();
        }
    }
}
