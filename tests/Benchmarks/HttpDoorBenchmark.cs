using static MlStack.Benchmarks.BenchmarkSupport;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Benchmarks;

/// <summary>
/// Streaming through the OpenAI-compatible HTTP door (POST /v1/chat/completions, stream: true, server-sent events over
/// HTTP/1.1) against the gRPC TextGeneration.Chat stream (HTTP/2), side by side in one run: one Inference.Grpc process,
/// the same chat, greedy, ignore_eos and a fixed length, the client in this process over loopback. The two doors
/// alternate round by round so both see the same machine load. For each: client-side time to first token (first
/// message with a token, first chunk with text) and aggregate tokens/s at each number of concurrent streams.
///   dotnet run -c Release --project tests/Benchmarks -- http-doors [--model tiny-gpt] [--streams 1,8] [--tokens 128]
///     [--rounds 5] [--ttft-requests 40] [--threads 1]
/// </summary>
public static class HttpDoorBenchmark
{
    private const string Question = "Once upon a time, Anna and Ben went to the harbor. What did they see?";

    private delegate Task<Sample> Stream(string model, int tokens);

    public static async Task<int> RunAsync(string[] args)
    {
        var model = Option(args, "--model", "tiny-gpt");
        var streams = IntListOption(args, "--streams", "1,8");
        var tokens = IntOption(args, "--tokens", 128);
        var rounds = IntOption(args, "--rounds", 5);
        var ttftRequests = IntOption(args, "--ttft-requests", 40);
        var threads = Option(args, "--threads", "1");

        Console.WriteLine($"Load average at start: {LoadAverage()}; {Environment.ProcessorCount} cores; Execution:IntraOpNumThreads={threads}, spinning off");
        await using var server = new InferenceProcess(new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["Execution:IntraOpNumThreads"] = threads,
            ["Execution:AllowSpinning"] = "false",
            ["ModelRepository:Path"] = RepositoryPaths.DefaultModelRepository,
            ["ModelRepository:InstallDefaultModel"] = "false",
            ["ModelRepository:Models:0"] = model,
            ["Generation:MaxConcurrentSequences"] = streams.Max().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        }, echoPrefix: "server");
        await server.StartAsync();
        using var channel = server.OpenChannel();
        var grpc = new TextGeneration.TextGenerationClient(channel);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = server.HttpAddress };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", server.ApiKey);
        var doors = new (string Name, Stream Run)[]
        {
            ("gRPC", (m, t) => GrpcAsync(grpc, m, t)),
            ("HTTP OpenAI", (m, t) => HttpAsync(http, m, t)),
        };

        foreach (var (_, run) in doors)
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Min(8, streams.Max())).Select(_ => run(model, 16))); // warm-up: JIT, connections
        }

        // Time to first token, one request at a time, the doors alternating request by request.
        var ttft = doors.ToDictionary(d => d.Name, _ => new List<double>());
        for (var i = 0; i < ttftRequests; i++)
        {
            foreach (var (name, run) in i % 2 == 0 ? doors : doors.Reverse())
            {
                ttft[name].Add((await run(model, 2)).TtftMs);
            }
        }

        var rates = new Dictionary<(string, int), List<double>>();
        var cellTtft = new Dictionary<(string, int), List<double>>();
        foreach (var n in streams)
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, run) in round % 2 == 0 ? doors : doors.Reverse())
                {
                    var started = Stopwatch.GetTimestamp();
                    var samples = await Task.WhenAll(Enumerable.Range(0, n).Select(_ => Task.Run(() => run(model, tokens))));
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    if (samples.Any(s => s.Tokens != tokens))
                    {
                        throw new InvalidOperationException($"{name}: a stream ended with {samples.First(s => s.Tokens != tokens).Tokens} tokens, not {tokens}");
                    }
                    ListFor(rates, (name, n)).Add(samples.Sum(s => s.Tokens) / seconds);
                    ListFor(cellTtft, (name, n)).AddRange(samples.Select(s => s.TtftMs));
                    Console.WriteLine($"  {name}, {n} streams, round {round + 1}: {samples.Sum(s => s.Tokens) / seconds:F1} tokens/s");
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load average at end: {LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine($"Model {model}, {tokens} new tokens per stream (greedy, ignore_eos); tokens/s is the median of {rounds} rounds; TTFT is client-side.");
        Console.WriteLine();
        Console.WriteLine($"| streams | door | tokens/s | HTTP / gRPC | TTFT p50 ms | TTFT p90 ms |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        Console.WriteLine($"| 1 (TTFT only, {ttftRequests} requests, 2 tokens) | gRPC | | | {Percentile(ttft["gRPC"], 0.5):F2} | {Percentile(ttft["gRPC"], 0.9):F2} |");
        Console.WriteLine($"| 1 (TTFT only, {ttftRequests} requests, 2 tokens) | HTTP OpenAI | | {Percentile(ttft["gRPC"], 0.5) / Percentile(ttft["HTTP OpenAI"], 0.5):F2}x (TTFT, gRPC / HTTP) | {Percentile(ttft["HTTP OpenAI"], 0.5):F2} | {Percentile(ttft["HTTP OpenAI"], 0.9):F2} |");
        foreach (var n in streams)
        {
            var grpcRate = Median(rates[("gRPC", n)]);
            foreach (var (name, _) in doors)
            {
                var rate = Median(rates[(name, n)]);
                var ratio = name == "gRPC" ? "" : $"{rate / grpcRate:F2}x";
                Console.WriteLine($"| {n} | {name} | {rate:F1} | {ratio} | {Percentile(cellTtft[(name, n)], 0.5):F2} | {Percentile(cellTtft[(name, n)], 0.9):F2} |");
            }
        }
        return 0;
    }

    private static List<double> ListFor(Dictionary<(string, int), List<double>> map, (string, int) key) =>
        map.TryGetValue(key, out var list) ? list : map[key] = [];

    private static async Task<Sample> GrpcAsync(TextGeneration.TextGenerationClient client, string model, int tokens)
    {
        var request = new ChatRequest
        {
            Model = model,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = tokens, IgnoreEos = true },
        };
        request.Messages.Add(new ChatMessage { Role = "user", Content = Question });
        var started = Stopwatch.GetTimestamp();
        double ttft = 0;
        var count = 0;
        using var call = client.Chat(request);
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (count == 0 && message.TokenIds.Count > 0) ttft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            count += message.TokenIds.Count;
        }
        return new Sample(count, ttft);
    }

    /// <summary>
    /// A plain SSE reader over HttpClient, as curl or a thin client reads the door: the time of the first chunk with
    /// text, and the completion tokens from the usage on the last chunk.
    /// </summary>
    private static async Task<Sample> HttpAsync(HttpClient http, string model, int tokens)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = Question }),
            ["temperature"] = 0,
            ["max_tokens"] = tokens,
            ["ignore_eos"] = true,
            ["stream"] = true,
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double ttft = 0;
        var count = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            if (ttft == 0 && line.Contains("\"content\":\"", StringComparison.Ordinal) && !line.Contains("\"content\":\"\"", StringComparison.Ordinal))
            {
                ttft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            if (line.Contains("\"usage\":{", StringComparison.Ordinal))
            {
                using var chunk = JsonDocument.Parse(line.AsMemory("data: ".Length));
                count = chunk.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
            }
        }
        return new Sample(count, ttft);
    }

    private sealed record Sample(int Tokens, double TtftMs);

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
