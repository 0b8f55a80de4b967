using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using MlStack.Inference.V1;
using MlStack.Testing;
using static MlStack.Benchmarks.BenchmarkSupport;

namespace MlStack.Benchmarks;

/// <summary>
/// What a scale-from-zero costs the first caller once a pod is scheduled and its image is on the node: Inference.Grpc
/// started as a fresh process, timed from the start to ready (/health 200: every model loaded), to its first answered
/// Embed and to the first token of its first Generate. Each run starts from a model repository as a published pod
/// sees it: the image's decoders, and an empty scratch directory into which MiniLM is extracted at start.
///   dotnet run -c Release --project tests/Benchmarks -- cold-start [--runs 5]
/// </summary>
public static class ColdStartBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = IntOption(args, "--runs", 5);
        var samples = new List<Sample>();
        for (var run = 1; run <= runs; run++)
        {
            var sample = await MeasureOnceAsync();
            samples.Add(sample);
            Console.WriteLine($"run {run}: ready {sample.ReadyMs:F0} ms, first Embed {sample.EmbedMs:F0} ms, first token {sample.FirstTokenMs:F0} ms");
        }

        Console.WriteLine();
        Console.WriteLine($"Cold start of Inference.Grpc (CPU execution provider, MiniLM + tiny-gpt + tiny-llama), {runs} runs, ms from process start");
        Console.WriteLine($"{"milestone",-26} {"min",8} {"median",8} {"max",8}");
        Print("ready (/health 200)", samples.Select(s => s.ReadyMs));
        Print("first Embed answered", samples.Select(s => s.EmbedMs));
        Print("first generated token", samples.Select(s => s.FirstTokenMs));
        return 0;
    }

    private static async Task<Sample> MeasureOnceAsync()
    {
        using var repository = new TestDirectory("mlstack-cold-start-");
        foreach (var decoder in RepositoryPaths.ShippedGeneratorModels)
        {
            CopyDirectory(Path.Combine(RepositoryPaths.DefaultModelRepository, decoder), Path.Combine(repository.Path, decoder));
        }
        var settings = new Dictionary<string, string>
        {
            ["Execution:Provider"] = "cpu",
            ["ModelRepository:Path"] = repository.Path,
            ["Logging:LogLevel:Default"] = "Warning",
        };

        var started = Stopwatch.GetTimestamp();
        await using var server = new InferenceProcess(settings);
        await server.StartAsync(TimeSpan.FromMinutes(5));
        var ready = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        using var channel = server.OpenChannel();
        await new Embeddings.EmbeddingsClient(channel).EmbedAsync(new EmbedRequest { Texts = { "How long does a cold start take?" } });
        var embedded = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

        double firstToken = 0;
        using var call = new TextGeneration.TextGenerationClient(channel).Generate(new GenerateRequest
        {
            Model = "tiny-gpt",
            Prompt = "Once upon a time",
            Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 8 },
        });
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.TokenIds.Count > 0 && firstToken == 0)
            {
                firstToken = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        }
        if (firstToken == 0)
        {
            throw new InvalidOperationException("tiny-gpt generated no token.");
        }
        return new Sample(ready, embedded, firstToken);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    private static void Print(string milestone, IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        Console.WriteLine($"{milestone,-26} {sorted[0],8:F0} {sorted[sorted.Count / 2],8:F0} {sorted[^1],8:F0}");
    }

    private sealed record Sample(double ReadyMs, double EmbedMs, double FirstTokenMs);
}
