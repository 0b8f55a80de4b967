using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MlStack.Inference.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;
using static MlStack.Benchmarks.BenchmarkOptions;

namespace MlStack.Benchmarks;

/// <summary>
/// Text generation through gRPC (Inference.Grpc started as its own process, HTTP/2 over loopback) against
/// the same generation loop called in-process, side by side in one run; then aggregate tokens/s with
/// several concurrent streams. Greedy, ignore_eos, fixed prompt and length, CPU execution provider.
///   dotnet run -c Release --project tests/Benchmarks -- generation [--tokens 200] [--rounds 5] [--streams 1,2,4,8]
/// </summary>
public static class GenerationBenchmark
{
    private const string Prompt = "Once upon a time, Anna and Ben went to the harbor.";

    public static async Task<int> RunAsync(string[] args)
    {
        var tokens = IntOption(args, "--tokens", 200);
        var rounds = IntOption(args, "--rounds", 5);
        var streams = (Option(args, "--streams") ?? "1,2,4,8").Split(',').Select(int.Parse).ToArray();
        var repository = RepositoryPaths.DefaultModelRepository;
        var settings = new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            // One ORT thread per session: two processes with spinning intra-op pools would steal each
            // other's cores and measure the spinning, not the serving path.
            ["Execution:IntraOpNumThreads"] = "1",
            ["ModelRepository:Path"] = repository,
            ["Generation:MaxConcurrentSequences"] = streams.Max().ToString(),
        };

        // In-process: the same TextGenerator the gRPC service drives, without the service and the network.
        var builder = WebApplication.CreateBuilder([.. settings.Select(kv => $"--{kv.Key}={kv.Value}")]);
        builder.AddOnnxRuntime();
        builder.AddTextGeneration();
        await using var local = builder.Build();
        local.Services.GetRequiredService<GeneratorCatalog>().Load();
        var generator = local.Services.GetRequiredService<TextGenerator>();
        var model = generator.ResolveModel("tiny-gpt");
        var promptIds = generator.EncodePrompt(model, Prompt);
        var parameters = generator.ResolveParameters(model, new GenerationParameters { Temperature = 0, MaxNewTokens = tokens, IgnoreEos = true }, promptIds.Count);

        await using var server = new InferenceProcess(new Dictionary<string, string>(settings) { ["Logging:LogLevel:Default"] = "Warning" }, echoPrefix: "server");
        await server.StartAsync();
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new TextGeneration.TextGenerationClient(channel);
        var request = new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = Prompt,
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = tokens, IgnoreEos = true },
        };

        var serverTtft = new List<double>();

        async Task<Sample> InProcess()
        {
            var started = Stopwatch.GetTimestamp();
            double ttft = 0;
            var count = 0;
            await foreach (var step in generator.GenerateAsync(model, promptIds, parameters))
            {
                if (step.TokenId is null) continue;
                if (count++ == 0) ttft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
            return new Sample(ttft, count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        async Task<Sample> OverGrpc()
        {
            var started = Stopwatch.GetTimestamp();
            double ttft = 0;
            var count = 0;
            using var call = client.Generate(request);
            await foreach (var message in call.ResponseStream.ReadAllAsync())
            {
                if (message.Summary is { } summary) serverTtft.Add(summary.TimeToFirstTokenMs);
                if (message.TokenIds.Count == 0) continue;
                if (count == 0) ttft = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                count += message.TokenIds.Count;
            }
            return new Sample(ttft, count, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        await InProcess();
        await OverGrpc(); // warm-up: JIT, connection, ORT arenas
        var inProcess = new List<Sample>();
        var grpc = new List<Sample>();
        for (var i = 0; i < rounds; i++)
        {
            inProcess.Add(await InProcess());
            grpc.Add(await OverGrpc());
        }

        Console.WriteLine($"Text generation, tiny-gpt, CPU, greedy, prompt {promptIds.Count} tokens, {tokens} new tokens, median of {rounds} rounds");
        Console.WriteLine($"{"path",-12} {"TTFT ms",10} {"tokens/s",10}");
        var (localTtft, localRate) = Median(inProcess);
        var (grpcTtft, grpcRate) = Median(grpc);
        Console.WriteLine($"{"in-process",-12} {localTtft,10:F2} {localRate,10:F1}");
        Console.WriteLine($"{"gRPC",-12} {grpcTtft,10:F2} {grpcRate,10:F1}");
        Console.WriteLine($"gRPC / in-process tokens/s: {grpcRate / localRate:F3}x; server-side TTFT of the gRPC calls (median): {serverTtft.Order().ElementAt(serverTtft.Count / 2):F2} ms");
        Console.WriteLine();

        Console.WriteLine($"{"streams",8} {"gRPC aggregate tok/s",22} {"in-process aggregate tok/s",28} {"ratio",7}");
        foreach (var n in streams)
        {
            var g = await Aggregate(n, OverGrpc);
            var l = await Aggregate(n, InProcess);
            Console.WriteLine($"{n,8} {g,22:F1} {l,28:F1} {g / l,7:F3}");
        }
        return 0;
    }

    private static async Task<double> Aggregate(int streams, Func<Task<Sample>> run)
    {
        var started = Stopwatch.GetTimestamp();
        var samples = await Task.WhenAll(Enumerable.Range(0, streams).Select(_ => Task.Run(run)));
        return samples.Sum(s => s.Tokens) / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private sealed record Sample(double TtftMs, int Tokens, double Seconds);

    private static (double TtftMs, double TokensPerSecond) Median(List<Sample> samples) =>
        (samples.Select(s => s.TtftMs).Order().ElementAt(samples.Count / 2),
         samples.Select(s => s.Tokens / s.Seconds).Order().ElementAt(samples.Count / 2));
}
