// The proxy assembly also carries the embeddings client it compiles; an alias keeps it apart from Inference.Grpc's types.
extern alias vectors;

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MlStack.Testing;
using vectors::MlStack.Inference.V1;
using vectors::MlStack.VectorStore.V1;

namespace MlStack.Benchmarks;

/// <summary>
/// The vector store proxy against its baseline, in one run on the same servers: a query through the proxy
/// (auth, collection and manifest lookup, embedding, Chroma query) against the bare minimum a client could do
/// itself (one Embed call to inference plus one Chroma query). Also ingest chunks per second for a 1 MB Markdown file.
/// Starts its own Chroma, inference and proxy processes from the Release build outputs.
/// </summary>
internal static class VectorStoreBenchmark
{
    private const string Key = "benchmark-key-0123456789abcdef";
    private const string Collection = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var queries = ArgInt(args, "--queries", 300);
        var concurrency = ArgInt(args, "--concurrency", 8);
        var configuration = RepositoryPaths.Configuration;
        var state = Directory.CreateTempSubdirectory("mlstack-vector-bench-").FullName;
        int proxyHttp = FreePort.Next(), proxyGrpc = FreePort.Next();

        try
        {
            await using var chroma = new ChromaServer(Path.Combine(state, "chroma"), echoPrefix: "chroma");
            await chroma.StartAsync();
            await using var inference = new InferenceProcess(new Dictionary<string, string>(InferenceProcess.EmbeddingOnly)
            {
                ["ModelRepository:Path"] = Path.Combine(state, "models"),
                ["Logging:LogLevel:Default"] = "Warning",
            }, echoPrefix: "inference");
            await inference.StartAsync(TimeSpan.FromMinutes(3));
            var proxyDir = RepositoryPaths.BuildOutput("VectorStore.Proxy");
            using var proxy = new ChildProcess(ChildProcess.Dotnet,
                [Path.Combine(proxyDir, "VectorStore.Proxy.dll"),
                 $"--Kestrel:Endpoints:Http:Url=http://127.0.0.1:{proxyHttp}", $"--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:{proxyGrpc}",
                 $"--Chroma:BaseAddress={chroma.BaseAddress}", $"--services:inference:grpc:0={inference.GrpcAddress}",
                 $"--Vectors:ApiKey={Key}", "--Logging:LogLevel:Default=Warning"],
                proxyDir, echoPrefix: "vectors");
            await proxy.WaitForHttpAsync($"http://127.0.0.1:{proxyHttp}/health", TimeSpan.FromMinutes(3));

            using var proxyChannel = GrpcChannel.ForAddress($"http://127.0.0.1:{proxyGrpc}", new GrpcChannelOptions { MaxSendMessageSize = 64 << 20 });
            var store = new vectors::MlStack.VectorStore.V1.VectorStore.VectorStoreClient(proxyChannel.CreateCallInvoker().Intercept(m =>
            {
                m.Add("authorization", $"Bearer {Key}");
                return m;
            }));
            using var inferenceChannel = GrpcChannel.ForAddress(inference.GrpcAddress);
            var embeddings = new Embeddings.EmbeddingsClient(inferenceChannel);
            using var chromaHttp = new HttpClient { BaseAddress = chroma.BaseAddress };

            Console.WriteLine($"vectors benchmark ({configuration}), {Environment.ProcessorCount} cores; Chroma, inference and proxy as local processes");
            await store.CreateCollectionAsync(new CreateCollectionRequest { Name = Collection });

            // Ingest: one 1 MB Markdown document, default chunking.
            var markdown = MarkdownOfSize(1 << 20);
            var ingestWatch = Stopwatch.StartNew();
            IngestProgress last = new();
            using (var call = store.IngestDocument(new IngestDocumentRequest
                   {
                       Collection = Collection, DocumentName = "handbook.md", Content = ByteString.CopyFrom(markdown),
                   }))
            {
                await foreach (var update in call.ResponseStream.ReadAllAsync()) last = update;
            }
            ingestWatch.Stop();
            Console.WriteLine($"ingest 1 MB Markdown: {last.ChunksTotal} chunks in {ingestWatch.Elapsed.TotalSeconds:F1} s = {last.ChunksTotal / ingestWatch.Elapsed.TotalSeconds:F1} chunks/s");

            // The baseline's Chroma query needs the collection id, looked up once outside the timing.
            var chromaCollection = await chromaHttp.GetFromJsonAsync<JsonObject>("api/v2/tenants/mlstack/databases/rag/collections/" + Collection);
            var collectionId = chromaCollection!["id"]!.ToString();
            var questions = Enumerable.Range(0, queries).Select(i => $"What does section {i % 97} say about {Words[i % Words.Length]} and {Words[(i * 7) % Words.Length]}?").ToArray();

            async Task ProxyQuery(string q) =>
                await store.QueryAsync(new QueryRequest { Collection = Collection, Text = q, K = 5 });
            async Task DirectQuery(string q)
            {
                var request = new EmbedRequest { Normalize = true };
                request.Texts.Add(q);
                var vector = (await embeddings.EmbedAsync(request)).Embeddings[0].Values.ToArray();
                using var response = await chromaHttp.PostAsJsonAsync($"api/v2/tenants/mlstack/databases/rag/collections/{collectionId}/query",
                    new { query_embeddings = new[] { vector }, n_results = 5, include = new[] { "metadatas", "documents", "distances" } });
                response.EnsureSuccessStatusCode();
                await response.Content.ReadAsByteArrayAsync();
            }

            // Warm both paths, then measure them interleaved in rounds so drift hits both alike.
            foreach (var q in questions.Take(20)) { await ProxyQuery(q); await DirectQuery(q); }
            var sequential = new Dictionary<string, List<double>> { ["proxy"] = [], ["direct"] = [] };
            foreach (var q in questions)
            {
                sequential["proxy"].Add(await Time(() => ProxyQuery(q)));
                sequential["direct"].Add(await Time(() => DirectQuery(q)));
            }
            var throughput = new Dictionary<string, double>();
            for (var round = 0; round < 2; round++)
            {
                foreach (var (name, run) in new[] { ("proxy", (Func<string, Task>)ProxyQuery), ("direct", DirectQuery) })
                {
                    var next = -1;
                    var watch = Stopwatch.StartNew();
                    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < questions.Length) await run(questions[i]);
                    }));
                    throughput[name] = Math.Max(throughput.GetValueOrDefault(name), questions.Length / watch.Elapsed.TotalSeconds);
                }
            }

            Console.WriteLine();
            Console.WriteLine($"| path | p50 ms | p99 ms | mean ms | queries/s at concurrency {concurrency} |");
            Console.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var name in new[] { "direct", "proxy" })
            {
                var s = sequential[name].Order().ToArray();
                Console.WriteLine($"| {(name == "proxy" ? "through the proxy" : "direct: Embed + Chroma query")} | {Percentile(s, 0.50):F2} | {Percentile(s, 0.99):F2} | {s.Average():F2} | {throughput[name]:F0} |");
            }
            var overhead = Percentile(sequential["proxy"].Order().ToArray(), 0.5) - Percentile(sequential["direct"].Order().ToArray(), 0.5);
            Console.WriteLine();
            Console.WriteLine($"proxy overhead per query (p50 difference): {overhead:F2} ms; throughput ratio proxy/direct: {throughput["proxy"] / throughput["direct"]:F2}");
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

    private static readonly string[] Words =
    [
        "harbour", "ledger", "turbine", "glacier", "orchard", "compiler", "lantern", "quarry", "satellite", "vineyard",
        "bridge", "archive", "furnace", "meadow", "reactor", "tunnel", "observatory", "mill", "canal", "forge",
        "battery", "pipeline", "garden", "library", "engine", "railway", "market", "fortress", "dam", "lighthouse",
    ];

    /// <summary>Deterministic Markdown: headings, paragraphs of sentences and lists, until the size is reached.</summary>
    private static byte[] MarkdownOfSize(int bytes)
    {
        var random = new Random(42);
        var text = new StringBuilder();
        var section = 0;
        while (text.Length < bytes)
        {
            text.Append("## Section ").Append(section++).Append(": the ").Append(Words[random.Next(Words.Length)]).Append("\n\n");
            for (var p = 0; p < 4; p++)
            {
                for (var s = 0; s < 5; s++)
                {
                    text.Append("The ").Append(Words[random.Next(Words.Length)]).Append(" near the ").Append(Words[random.Next(Words.Length)])
                        .Append(" was inspected in year ").Append(1900 + random.Next(120)).Append(" and found ")
                        .Append(random.Next(2) == 0 ? "in good order" : "in need of repair").Append(". ");
                }
                text.Append("\n\n");
            }
            text.Append("- item ").Append(Words[random.Next(Words.Length)]).Append('\n').Append("- item ").Append(Words[random.Next(Words.Length)]).Append("\n\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString(0, bytes));
    }

    private static async Task<double> Time(Func<Task> action)
    {
        var started = Stopwatch.GetTimestamp();
        await action();
        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static int ArgInt(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
