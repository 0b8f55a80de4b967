using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Google.Protobuf;
using MlStack.VectorStore.Api;
using Xunit.Abstractions;

namespace MlStack.VectorStore.IntegrationTests.Api;

/// <summary>
/// Seeded random and mutated requests to every gRPC method and HTTP route of the proxy, bounded in count and time:
/// each is answered with a status that is not INTERNAL (HTTP: below 500) and a clean detail, and afterwards the
/// proxy answers a valid request and the sentinel is intact. A failure names the seed and the request, so it repeats.
/// </summary>
[Collection(StoreCollection.Name)]
public sealed class FuzzTests(StoreFixture store, ITestOutputHelper output)
{
    private const int Seed = 20261201;
    private const int Requests = 3000;
    private const int Concurrency = 8;
    private static readonly TimeSpan TimeBudget = TimeSpan.FromSeconds(55);
    private static readonly StatusCode[] ServerFaults = [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss];

    private sealed record FuzzRequest(string Description, Func<Task<string?>> Send);

    [Fact]
    public async Task Random_and_mutated_requests_never_get_an_internal_error_and_the_store_serves_on()
    {
        var client = store.Proxy.GrpcClient();
        using var http = store.Proxy.HttpClient();
        var collection = await client.NewCollectionAsync("fuzz");
        await client.IngestAsync(collection, "sourdough.txt", TestDocuments.PlainText, metadata: new Dictionary<string, string> { ["lang"] = "en" });
        var generator = new Generator(new Random(Seed), collection, client, http);

        var clock = Stopwatch.StartNew();
        var failures = new List<string>();
        var sent = 0;
        while (sent < Requests && clock.Elapsed < TimeBudget)
        {
            // Made in seeded order, sent a batch at a time.
            var batch = Enumerable.Range(0, Concurrency).Select(_ => generator.Next()).ToList();
            var outcomes = await Task.WhenAll(batch.Select(async r =>
            {
                try
                {
                    return await r.Send();
                }
                catch (Exception ex)
                {
                    return $"threw {ex.GetType().Name}: {ex.Message}";
                }
            }));
            failures.AddRange(batch.Zip(outcomes).Where(p => p.Second is not null).Select(p => $"{p.First.Description} -> {p.Second}"));
            sent += batch.Count;
        }
        output.WriteLine($"seed {Seed}: {sent} requests in {clock.Elapsed.TotalSeconds:F1} s, {failures.Count} failures");

        var kinds = failures.GroupBy(f => f[(f.IndexOf(" -> ", StringComparison.Ordinal) + 4)..][..Math.Min(100, f.Length - f.IndexOf(" -> ", StringComparison.Ordinal) - 4)])
            .Select(g => $"{g.Count()} x {g.Key}\n    e.g. {g.First()[..Math.Min(300, g.First().Length)]}");
        Assert.True(failures.Count == 0, $"seed {Seed}: {failures.Count} of {sent} failed:\n" + string.Join("\n", kinds));
        // The count is the test's size; the time budget only bounds a machine too slow to send them all.
        Assert.True(sent >= Requests || clock.Elapsed >= TimeBudget);
        await store.AssertServingAndIntactAsync();
    }

    private sealed class Generator(Random random, string collection, VectorStore.V1.VectorStore.VectorStoreClient client, HttpClient http)
    {
        private static readonly string[] Filters =
        [
            """{"lang":"en"}""", """{"lang":{"$in":["en","de"]}}""", """{"$or":[{"lang":"en"},{"document":"sourdough.txt"}]}""",
            """{"lang":{"$ne":"fr"}}""", """{"$and":[{"a":"1"},{"b":{"$nin":["x"]}}]}""",
        ];

        private static readonly string[] ContentTypes =
            ["", "text/plain", "text/markdown", "application/pdf", "application/octet-stream", "image/png", "text/plain; charset=utf-8", "x/\n", "application/json"];

        private static readonly byte[] Pdf = TestDocuments.Pdf();
        private static readonly byte[] NestedPdf = HostilePdfs.NestedArrays(20_000);

        public FuzzRequest Next() => random.Next(10) switch
        {
            < 6 => NextGrpc(),
            _ => NextHttp(),
        };

        private FuzzRequest NextGrpc()
        {
            var name = Name();
            switch (random.Next(8))
            {
                case 0:
                    var model = Model();
                    return Grpc($"CreateCollection({Show(name)}, {Show(model)})",
                        async () => await client.CreateCollectionAsync(new CreateCollectionRequest { Name = name, EmbeddingModel = model }));
                case 1:
                    return Grpc($"GetCollection({Show(name)})", async () => await client.GetCollectionAsync(new GetCollectionRequest { Name = name }));
                case 2:
                    // Never the collection the fuzz reads, nor the sentinel: both are named only by the checks.
                    var doomed = name == collection ? name + "-x" : name;
                    return Grpc($"DeleteCollection({Show(doomed)})", async () => await client.DeleteCollectionAsync(new DeleteCollectionRequest { Name = doomed }));
                case 3:
                    return Grpc("ListCollections", async () => await client.ListCollectionsAsync(new ListCollectionsRequest()));
                case 4:
                    var request = new IngestDocumentRequest
                    {
                        Collection = name, DocumentName = DocumentName(), ContentType = Pick(ContentTypes), Content = ByteString.CopyFrom(Content()),
                        ChunkSize = Number(), ChunkOverlap = Number(),
                    };
                    if (random.Next(3) == 0) request.Metadata[Text(20)] = Text(40);
                    return Grpc($"IngestDocument({Show(request.Collection)}, {Show(request.DocumentName)}, {Show(request.ContentType)}, {request.Content.Length} bytes)",
                        async () =>
                        {
                            using var call = client.IngestDocument(request);
                            while (await call.ResponseStream.MoveNext(CancellationToken.None)) { }
                        });
                case 5:
                    return Grpc($"ListDocuments({Show(name)})", async () => await client.ListDocumentsAsync(new ListDocumentsRequest { Collection = name }));
                case 6:
                    var document = DocumentName();
                    return Grpc($"DeleteDocument({Show(name)}, {Show(document)})",
                        async () => await client.DeleteDocumentAsync(new DeleteDocumentRequest { Collection = name, DocumentName = document }));
                default:
                    var query = new QueryRequest { Collection = name, Text = Text(200), K = Number(), FilterJson = Filter(), EmbeddingModel = random.Next(4) == 0 ? Model() : "" };
                    return Grpc($"Query({Show(query.Collection)}, {Show(query.Text)}, k={query.K}, filter={Show(query.FilterJson)})",
                        async () => await client.QueryAsync(query));
            }
        }

        private FuzzRequest NextHttp()
        {
            // No NUL in paths: Kestrel refuses such a request line before the app sees it, and the in-memory test
            // server throws on it in the client instead; bodies and query strings still carry NULs.
            var c = Uri.EscapeDataString(Name().Replace("\0", ""));
            var d = string.Join("/", DocumentName().Replace("\0", "").Split('/').Select(Uri.EscapeDataString));
            var (method, path) = random.Next(9) switch
            {
                0 => (HttpMethod.Get, "/v1/collections"),
                1 => (HttpMethod.Post, "/v1/collections"),
                2 => (HttpMethod.Get, $"/v1/collections/{c}"),
                3 => (HttpMethod.Delete, $"/v1/collections/{(c == collection ? c + "-x" : c)}"),
                4 => (HttpMethod.Get, $"/v1/collections/{c}/documents"),
                5 => (HttpMethod.Put, $"/v1/collections/{c}/documents/{d}?chunkSize={Number()}&chunkOverlap={Number()}&meta.{Uri.EscapeDataString(Text(10))}={Uri.EscapeDataString(Text(20))}"),
                6 => (HttpMethod.Delete, $"/v1/collections/{c}/documents/{d}"),
                7 => (HttpMethod.Post, $"/v1/collections/{c}/query"),
                _ => (Pick([HttpMethod.Patch, HttpMethod.Get, HttpMethod.Post, HttpMethod.Options]), "/v1/" + Uri.EscapeDataString(Text(30).Replace("\0", ""))),
            };
            var (body, contentType) = method == HttpMethod.Put
                ? (Content(), Pick(ContentTypes))
                : random.Next(4) switch
                {
                    0 => ([], ""),
                    1 => (Encoding.UTF8.GetBytes(Mutate(new JsonObject { ["name"] = Name(), ["embeddingModel"] = Model() }.ToJsonString())), "application/json"),
                    2 => (Encoding.UTF8.GetBytes(Mutate($$"""{"text":{{JsonValue.Create(Text(100)).ToJsonString()}},"k":{{Number()}},"filter":{{(Filter() is { Length: > 0 } f ? f : "null")}}}""")), "application/json"),
                    _ => (Bytes(200), Pick(ContentTypes)),
                };
            var streaming = random.Next(3) == 0;
            return new FuzzRequest($"{method} {path} ({body.Length} bytes, {Show(contentType)}{(streaming ? ", ndjson" : "")})", async () =>
            {
                using var message = new HttpRequestMessage(method, path);
                if (method != HttpMethod.Get && method != HttpMethod.Delete)
                {
                    message.Content = new ByteArrayContent(body);
                    if (contentType.Length > 0 && MediaTypeHeaderValue.TryParse(contentType, out var type)) message.Content.Headers.ContentType = type;
                }
                if (streaming) message.Headers.Accept.ParseAdd(HttpApiEndpoints.NdJson);
                using var response = await http.SendAsync(message);
                var text = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode >= 500) return $"HTTP {(int)response.StatusCode}: {text[..Math.Min(300, text.Length)]}";
                if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                    return Clean(JsonNode.Parse(text)?["detail"]?.ToString() ?? "");
                // A streamed ingest that failed after it began says so on its last line.
                var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
                if (streaming && method == HttpMethod.Put && last is not null && JsonNode.Parse(last) is JsonObject line && line["error"] is { } error)
                    return (int)error["status"]! >= 500 ? $"streamed error {error.ToJsonString()}" : Clean(error["detail"]!.ToString());
                return null;
            });
        }

        private static FuzzRequest Grpc(string description, Func<Task> call) => new(description, async () =>
        {
            try
            {
                await call();
                return null;
            }
            catch (RpcException ex)
            {
                return ServerFaults.Contains(ex.StatusCode) ? $"{ex.StatusCode}: {ex.Status.Detail}" : Clean(ex.Status.Detail);
            }
        });

        private static string? Clean(string detail)
        {
            try
            {
                CleanDetail.Assert(detail);
                return null;
            }
            catch (Exception ex)
            {
                return $"unclean detail ({ex.Message.Split('\n')[0]})";
            }
        }

        private string Name() => random.Next(7) switch
        {
            0 or 1 => collection,
            2 => collection + Pick(["\n", " ", "\r\n", "\t", ".manifest", "X"]),
            // Few valid new names: each create costs an Embed probe and two Chroma collections, and every collection
            // that exists is a label on /metrics.
            3 => "fz-" + random.Next(16),
            4 => Mutate(collection),
            5 => "",
            _ => Text(random.Next(2) == 0 ? 20 : 2000),
        };

        private string DocumentName() => random.Next(5) switch
        {
            0 => "sourdough.txt",
            1 => $"fz-{random.Next(100)}.{Pick(["txt", "md", "pdf", "docx", ""])}",
            2 => Mutate("guides/solar-power.md"),
            _ => Text(random.Next(2) == 0 ? 30 : 1000),
        };

        private string Model() => random.Next(4) switch
        {
            0 => "",
            1 => "all-MiniLM-L6-v2",
            2 => Mutate("all-MiniLM-L6-v2"),
            _ => Text(random.Next(2) == 0 ? 30 : 600),
        };

        private string Filter() => random.Next(5) switch
        {
            0 => "",
            1 => Pick(Filters),
            _ => Mutate(Pick(Filters)),
        };

        private int Number() => random.Next(6) switch
        {
            0 => 0,
            1 => random.Next(-10, 10),
            2 => random.Next(100, 2000),
            3 => int.MaxValue - random.Next(3),
            4 => int.MinValue + random.Next(3),
            _ => random.Next(),
        };

        private byte[] Content() => random.Next(8) switch
        {
            0 => [],
            1 => Encoding.UTF8.GetBytes(Text(random.Next(2) == 0 ? 300 : 5000)),
            2 => Bytes(random.Next(1, 3000)),
            3 => TestDocuments.PlainText,
            4 => MutateBytes(Pdf),
            5 => random.Next(4) == 0 ? NestedPdf : Pdf[..random.Next(1, Pdf.Length)],
            6 => Encoding.UTF8.GetBytes("%PDF-1.7\n" + Text(300)),
            _ => Encoding.UTF8.GetBytes(Mutate("# Title\n\nSome *markdown* text about ovens and bread.\n")),
        };

        private string Text(int maxLength)
        {
            var length = random.Next(maxLength + 1);
            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = random.Next(10) switch
                {
                    0 => (char)random.Next(0, 32),
                    1 => (char)random.Next(0x80, 0xD7FF),
                    2 => Pick(['{', '}', '[', ']', '"', '\\', '$', '.', '/', '%', '\n', ' ']),
                    _ => (char)random.Next(32, 127),
                };
            }
            return new string(chars);
        }

        private byte[] Bytes(int length)
        {
            var bytes = new byte[random.Next(length + 1)];
            random.NextBytes(bytes);
            return bytes;
        }

        private string Mutate(string value)
        {
            var text = new StringBuilder(value);
            for (var n = random.Next(1, 4); n > 0; n--)
            {
                var at = text.Length == 0 ? 0 : random.Next(text.Length);
                switch (random.Next(4))
                {
                    case 0 when text.Length > 0: text.Remove(at, 1); break;
                    case 1: text.Insert(at, Pick(['{', '}', '[', ']', '"', ':', ',', '$', '\n', '0', 'a', '\\'])); break;
                    case 2 when text.Length > 0: text.Insert(at, text.ToString(at, random.Next(text.Length - at + 1))); break;
                    default: text.Insert(at, Text(random.Next(2) == 0 ? 10 : 3000)); break;
                }
            }
            return text.ToString();
        }

        private byte[] MutateBytes(byte[] value)
        {
            var bytes = (byte[])value.Clone();
            for (var n = random.Next(1, 20); n > 0; n--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            return bytes;
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];

        private static string Show(string value) =>
            (value.Length > 40 ? $"\"{value[..40]}…\" ({value.Length} chars)" : $"\"{value}\"").Replace("\n", "\\n").Replace("\r", "\\r");
    }
}
