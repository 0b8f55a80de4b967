// The proxy assembly also carries the embeddings client it compiles; an alias keeps it apart from Inference.Grpc's types.
extern alias vectors;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlStack.Testing;
using static MlStack.Benchmarks.BenchmarkSupport;
using vectors::MlStack.Inference.V1;
using vectors::MlStack.VectorStore.Chroma;
using vectors::MlStack.VectorStore.V1;

namespace MlStack.Benchmarks;

/// <summary>
/// A query through the vector store proxy (API key, collection lookup, committed revisions from memory, one Embed call,
/// one unfiltered Chroma query of a few more than k) against the direct path a client could take itself (one Embed call
/// to inference plus one unfiltered Chroma query of k), side by side on the same servers, at each collection size.
/// Collections are seeded straight into Chroma in the proxy's record format (<see cref="VectorStoreSeeder"/>).
/// Starts its own Chroma, inference and proxy processes from the build outputs.
/// Usage: vectors [--sizes 10000,200000] [--queries 300] [--concurrency 8] [--rounds 3] [--filtered 20] [--data DIR] [--ingest]
/// [--proxy-setting Key=Value]...
/// </summary>
internal static class VectorStoreBenchmark
{
    private const string Key = "benchmark-key-0123456789abcdef";
    private const string DatabasePath = "api/v2/tenants/mlstack/databases/rag";
    private const int K = 5;
    private const int QuietJitMethods = 2;
    private static readonly TimeSpan MaxWarmup = TimeSpan.FromMinutes(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var sizes = IntListOption(args, "--sizes", "10000,200000");
        var queries = IntOption(args, "--queries", 300);
        var concurrency = IntOption(args, "--concurrency", 8);
        var rounds = IntOption(args, "--rounds", 3);
        var filtered = IntOption(args, "--filtered", 20);
        // A kept data folder holds the seeded collections, so a rerun measures at once instead of seeding again.
        var keptData = Option(args, "--data", "");
        var state = Directory.CreateTempSubdirectory("mlstack-vector-bench-").FullName;
        int proxyHttp = FreePort.Next(), proxyGrpc = FreePort.Next();

        try
        {
            await using var chroma = new ChromaServer(keptData.Length > 0 ? Path.GetFullPath(keptData) : Path.Combine(state, "chroma"), echoPrefix: "chroma");
            await chroma.StartAsync();
            await using var inference = new InferenceProcess(new Dictionary<string, string>(InferenceProcess.EmbeddingOnly)
            {
                ["Logging:LogLevel:Default"] = "Warning",
            }, echoPrefix: "inference");
            await inference.StartAsync(TimeSpan.FromMinutes(3));
            var proxyDir = RepositoryPaths.BuildOutput("VectorStore.Proxy");
            using var proxy = new ChildProcess(ChildProcess.Dotnet,
                [Path.Combine(proxyDir, "VectorStore.Proxy.dll"),
                 $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{proxyHttp}", $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{proxyGrpc}",
                 $"--Chroma:BaseAddress={chroma.BaseAddress}", $"--services:inference:grpc:0={inference.GrpcAddress}", $"--Inference:ApiKey={inference.ApiKey}",
                 $"--Vectors:ApiKey={Key}", "--Logging:LogLevel:Default=Warning", .. ProxySettings(args)],
                proxyDir, echoPrefix: "vectors");
            await proxy.WaitForHttpAsync($"http://127.0.0.1:{proxyHttp}/health", TimeSpan.FromMinutes(3));

            using var proxyChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{proxyGrpc}", new GrpcChannelOptions { MaxSendMessageSize = 64 << 20 });
            var store = new vectors::MlStack.VectorStore.V1.VectorStore.VectorStoreClient(proxyChannel.CreateCallInvoker().Intercept(m =>
            {
                m.Add("authorization", $"Bearer {Key}");
                return m;
            }));
            using var inferenceChannel = inference.OpenChannel();
            var embeddings = new Embeddings.EmbeddingsClient(inferenceChannel);
            using var chromaHttp = new HttpClient { BaseAddress = chroma.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
            var seeder = new VectorStoreSeeder(chromaHttp, DatabasePath);
            var cpu = new ProcessCpu([("client", Environment.ProcessId), ("proxy", proxy.Id), ("inference", inference.ProcessId), ("chroma", chroma.ProcessId)]);

            Console.WriteLine($"vectors benchmark ({RepositoryPaths.Configuration}), {Environment.ProcessorCount} cores; Chroma, inference and proxy as local processes; k = {K}");
            // What the measured proxy runs with, from its build output: a runtimeconfig.json rewritten outside the
            // build survives incremental builds, and one did (docs/benchmarks.md, "Vector store").
            Console.WriteLine($"proxy runtime settings: {RuntimeSettings(Path.Combine(proxyDir, "VectorStore.Proxy.runtimeconfig.json"))}");
            var questions = Enumerable.Range(0, Math.Max(queries, 20)).Select(i =>
                $"What does report {i % 97} say about the {GeneratedText.Words[i % GeneratedText.Words.Length]} near the {GeneratedText.Words[(i * 7) % GeneratedText.Words.Length]}?").ToArray();
            var results = new List<SizeResult>();
            foreach (var size in sizes)
            {
                var collection = $"bench-{size}";
                var info = await store.CreateCollectionAsync(new CreateCollectionRequest { Name = collection });
                var present = await seeder.CountAsync(collection);
                if (present != size)
                {
                    var seeding = Stopwatch.StartNew();
                    await seeder.SeedAsync(collection, size, present, info.EmbeddingDimensions, written =>
                    {
                        if (written % 20_000 == 0) Console.WriteLine($"  seeded {written} of {size} chunks ({seeding.Elapsed.TotalSeconds:F0} s)");
                    });
                    Console.WriteLine($"seeded {collection}: {size} chunks in {seeding.Elapsed.TotalSeconds:F0} s");
                }
                results.Add(await MeasureAsync(collection, size, store, embeddings, chromaHttp, new ProxyTimings(chromaHttp, $"http://127.0.0.1:{proxyHttp}/metrics"), cpu,
                    questions[..queries], questions[..Math.Min(filtered, queries)], concurrency, rounds));
            }

            Report(results, concurrency, cpu.Names);
            if (args.Contains("--ingest")) await MeasureIngestAsync(store);
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(state, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <param name="ProxyCpu">CPU milliseconds per query of each measured process in the proxy's throughput rounds (median of rounds).</param>
    private sealed record SizeResult(
        int Size, double[] Proxy, double[] Direct, double[] ChromaOnly, double[] ProxyFiltered,
        double[] ProxyThroughput, double[] DirectThroughput, double[] ProxyCpu, double[] DirectCpu, string LoadBefore, string LoadAfter,
        IReadOnlyList<(string Part, double Ms)> ProxyParts, IReadOnlyList<(string Part, double Ms)> DirectParts);

    private static async Task<SizeResult> MeasureAsync(
        string collection, int size, vectors::MlStack.VectorStore.V1.VectorStore.VectorStoreClient store, Embeddings.EmbeddingsClient embeddings,
        HttpClient chroma, ProxyTimings timings, ProcessCpu cpu, string[] questions, string[] filteredQuestions, int concurrency, int rounds)
    {
        var loadBefore = LoadAverage();
        var collectionId = (await chroma.GetFromJsonAsync<ChromaCollection>($"{DatabasePath}/collections/{collection}"))!.Id;
        var vector = await EmbedAsync(embeddings, questions[0]);

        async Task ProxyQuery(string q) => await store.QueryAsync(new QueryRequest { Collection = collection, Text = q, K = K });
        async Task ProxyFilteredQuery(string q) => await store.QueryAsync(new QueryRequest { Collection = collection, Text = q, K = K, FilterJson = """{"part": "3"}""" });
        async Task ChromaQuery(float[] v)
        {
            using var response = await chroma.PostAsJsonAsync($"{DatabasePath}/collections/{collectionId}/query",
                new { query_embeddings = new[] { v }, n_results = K, include = new[] { "metadatas", "documents", "distances" } });
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsByteArrayAsync();
        }
        async Task DirectQuery(string q) => await ChromaQuery(await EmbedAsync(embeddings, q));
        var directEmbed = new List<double>();
        var directChroma = new List<double>();
        async Task TimedDirectQuery(string q)
        {
            var started = Stopwatch.GetTimestamp();
            var vector = await EmbedAsync(embeddings, q);
            var embedded = Stopwatch.GetTimestamp();
            await ChromaQuery(vector);
            directEmbed.Add(Stopwatch.GetElapsedTime(started, embedded).TotalMilliseconds);
            directChroma.Add(Stopwatch.GetElapsedTime(embedded).TotalMilliseconds);
        }

        // Warm every path until the proxy's runtime has stopped compiling (tiered compilation promotes hot methods for
        // a while; on two cores its background thread takes CPU from the queries), then time the paths interleaved
        // query by query, so drift in the machine's load hits all alike.
        var warmup = Stopwatch.StartNew();
        for (var compiled = await timings.CompiledMethodsAsync(); ;)
        {
            foreach (var q in questions.Take(20))
            {
                await ProxyQuery(q);
                await DirectQuery(q);
                await ThroughputAsync(ProxyQuery, [q, q], 2);
            }
            var now = await timings.CompiledMethodsAsync();
            Console.WriteLine($"  warm-up {warmup.Elapsed.TotalSeconds:F0} s: the proxy compiled {now - compiled} methods in the last round");
            if (now - compiled <= QuietJitMethods || warmup.Elapsed > MaxWarmup) break;
            compiled = now;
        }
        var proxy = new List<double>();
        var direct = new List<double>();
        var chromaOnly = new List<double>();
        var timed = await timings.ReadAsync();
        for (var i = 0; i < questions.Length; i++)
        {
            // Alternate which path goes first, so neither always runs right after the other's work.
            if (i % 2 == 0)
            {
                proxy.Add(await Time(() => ProxyQuery(questions[i])));
                direct.Add(await Time(() => TimedDirectQuery(questions[i])));
            }
            else
            {
                direct.Add(await Time(() => TimedDirectQuery(questions[i])));
                proxy.Add(await Time(() => ProxyQuery(questions[i])));
            }
            chromaOnly.Add(await Time(() => ChromaQuery(vector)));
        }
        var parts = await timings.MeanSince(timed);
        var proxyFiltered = new List<double>();
        foreach (var q in filteredQuestions) proxyFiltered.Add(await Time(() => ProxyFilteredQuery(q)));

        var proxyRounds = new List<(double PerSecond, double[] Cpu)>();
        var directRounds = new List<(double PerSecond, double[] Cpu)>();
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0
                ? new[] { (proxyRounds, (Func<string, Task>)ProxyQuery), (directRounds, DirectQuery) }
                : [(directRounds, DirectQuery), (proxyRounds, ProxyQuery)];
            foreach (var (into, run) in order)
            {
                var before = cpu.Read();
                var perSecond = await ThroughputAsync(run, questions, concurrency);
                into.Add((perSecond, cpu.PerUnitSince(before, questions.Length)));
            }
        }
        static double[] MedianCpu(List<(double PerSecond, double[] Cpu)> rounds) =>
            Enumerable.Range(0, rounds[0].Cpu.Length).Select(p => Median(rounds.Select(r => r.Cpu[p]).ToArray())).ToArray();
        return new SizeResult(size, [.. proxy.Order()], [.. direct.Order()], [.. chromaOnly.Order()], [.. proxyFiltered.Order()],
            [.. proxyRounds.Select(r => r.PerSecond)], [.. directRounds.Select(r => r.PerSecond)], MedianCpu(proxyRounds), MedianCpu(directRounds),
            loadBefore, LoadAverage(), parts, [("Embed", directEmbed.Average()), ("Chroma query", directChroma.Average())]);
    }

    private static async Task<double> ThroughputAsync(Func<string, Task> run, string[] questions, int concurrency)
    {
        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < questions.Length) await run(questions[i]);
        }));
        return questions.Length / watch.Elapsed.TotalSeconds;
    }

    private static void Report(List<SizeResult> results, int concurrency, IReadOnlyList<string> processes)
    {
        Console.WriteLine();
        Console.WriteLine($"| chunks | path | p50 ms | p99 ms | mean ms | queries/s at concurrency {concurrency} (median of rounds) |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Row(r.Size, "direct: Embed + unfiltered Chroma query", r.Direct, Median(r.DirectThroughput));
            Row(r.Size, "through the proxy", r.Proxy, Median(r.ProxyThroughput));
            Row(r.Size, "unfiltered Chroma query alone", r.ChromaOnly, null);
            if (r.ProxyFiltered.Length > 0) Row(r.Size, "through the proxy, with a metadata filter", r.ProxyFiltered, null);
        }
        Console.WriteLine();
        foreach (var r in results)
        {
            var overhead = Percentile(r.Proxy, 0.5) - Percentile(r.Direct, 0.5);
            var ratio = Percentile(r.Proxy, 0.5) / Percentile(r.Direct, 0.5);
            var throughput = Median(r.ProxyThroughput.Zip(r.DirectThroughput, (p, d) => p / d).ToArray());
            Console.WriteLine($"{r.Size} chunks: proxy p50 - direct p50 = {overhead:F2} ms; proxy p50 / direct p50 = {ratio:F2}; " +
                              $"throughput proxy/direct = {throughput:F2} (per round: {string.Join(", ", r.ProxyThroughput.Zip(r.DirectThroughput, (p, d) => (p / d).ToString("F2", CultureInfo.InvariantCulture)))}); " +
                              $"load average {r.LoadBefore} before, {r.LoadAfter} after");
        }
        Console.WriteLine();
        Console.WriteLine("Where a query's time goes in the proxy (latency rounds, mean ms per query, from the proxy's own metrics):");
        foreach (var r in results)
        {
            var client = r.Proxy.Average();
            Console.WriteLine($"{r.Size} chunks: {string.Join("; ", r.ProxyParts.Select(p => $"{p.Part} {p.Ms:F2}"))}; as the client saw it {client:F2}");
            Console.WriteLine($"{r.Size} chunks, the direct path as the client saw it: {string.Join("; ", r.DirectParts.Select(p => $"{p.Part} {p.Ms:F2}"))}; total {r.Direct.Average():F2}");
        }
        Console.WriteLine();
        Console.WriteLine("CPU milliseconds per query in the throughput rounds (median of rounds), by process:");
        Console.WriteLine($"| chunks, path | {string.Join(" | ", processes)} | total |");
        Console.WriteLine($"|---|{string.Concat(processes.Select(_ => "---:|"))}---:|");
        foreach (var r in results)
        {
            foreach (var (path, values) in new[] { ("direct", r.DirectCpu), ("proxy", r.ProxyCpu) })
                Console.WriteLine($"| {r.Size} {path} | {string.Join(" | ", values.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))} | {values.Sum():F2} |");
        }
    }

    private static void Row(int size, string path, double[] sorted, double? throughput) =>
        Console.WriteLine($"| {size} | {path} | {Percentile(sorted, 0.50):F2} | {Percentile(sorted, 0.99):F2} | {sorted.Average():F2} | {(throughput is { } t ? t.ToString("F0", CultureInfo.InvariantCulture) : "")} |");

    /// <summary>Ingest chunks per second for one generated 1 MB Markdown file with the default chunking.</summary>
    private static async Task MeasureIngestAsync(vectors::MlStack.VectorStore.V1.VectorStore.VectorStoreClient store)
    {
        await store.CreateCollectionAsync(new CreateCollectionRequest { Name = "bench-ingest" });
        var watch = Stopwatch.StartNew();
        IngestProgress last = new();
        using (var call = store.IngestDocument(new IngestDocumentRequest
               {
                   Collection = "bench-ingest", DocumentName = $"handbook-{Guid.NewGuid():N}.md", Content = ByteString.CopyFrom(GeneratedText.MarkdownOfSize(1 << 20)),
               }))
        {
            await foreach (var update in call.ResponseStream.ReadAllAsync()) last = update;
        }
        Console.WriteLine($"ingest 1 MB Markdown: {last.ChunksTotal} chunks in {watch.Elapsed.TotalSeconds:F1} s = {last.ChunksTotal / watch.Elapsed.TotalSeconds:F1} chunks/s");
    }

    /// <summary>The configProperties of a runtimeconfig.json, as name=value pairs.</summary>
    private static string RuntimeSettings(string runtimeConfigPath)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(runtimeConfigPath));
        return config.RootElement.GetProperty("runtimeOptions").TryGetProperty("configProperties", out var properties)
            ? string.Join(", ", properties.EnumerateObject().Select(p => $"{p.Name}={p.Value}"))
            : "(none)";
    }

    private static async Task<float[]> EmbedAsync(Embeddings.EmbeddingsClient embeddings, string text)
    {
        var request = new EmbedRequest { Normalize = true };
        request.Texts.Add(text);
        return (await embeddings.EmbedAsync(request)).Embeddings[0].Values.ToArray();
    }

    private static async Task<double> Time(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    /// <summary>Every "--proxy-setting Key=Value", as the proxy's command-line configuration.</summary>
    private static IEnumerable<string> ProxySettings(string[] args) =>
        args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--proxy-setting" && a.i + 1 < args.Length).Select(a => "--" + args[a.i + 1]);
}
