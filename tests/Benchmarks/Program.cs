// Each suite measures MlStack against its in-process baseline side by side in one run and prints a table.
var suites = new Dictionary<string, Func<string[], Task<int>>>(StringComparer.OrdinalIgnoreCase)
{
    ["embeddings"] = MlStack.Benchmarks.EmbeddingBenchmark.RunAsync,
    ["embedding-batches"] = MlStack.Benchmarks.TokenBatchingBenchmark.RunAsync,
    ["vectors"] = MlStack.Benchmarks.VectorStoreBenchmark.RunAsync,
    ["generation"] = MlStack.Benchmarks.GenerationBenchmark.RunAsync,
    ["decoder-step"] = MlStack.Benchmarks.DecoderStepBenchmark.RunAsync,
    ["fused-attention"] = MlStack.Benchmarks.FusedAttentionBenchmark.RunAsync,
    ["dashboard"] = MlStack.Benchmarks.DashboardBenchmark.RunAsync,
    ["cold-start"] = MlStack.Benchmarks.ColdStartBenchmark.RunAsync,
    ["http-doors"] = MlStack.Benchmarks.HttpDoorBenchmark.RunAsync,
    ["genai-peer"] = MlStack.Benchmarks.GenAIPeerBenchmark.RunAsync,
    ["prefix-cache"] = MlStack.Benchmarks.PrefixCacheBenchmark.RunAsync,
    ["sampler"] = MlStack.Benchmarks.SamplerBenchmark.RunAsync,
    ["structured-outputs"] = MlStack.Benchmarks.StructuredOutputBenchmark.RunAsync,
};

if (args.Length == 0 || !suites.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project tests/Benchmarks -- <{string.Join('|', suites.Keys)}> [options]");
    return 2;
}
return await run(args[1..]);
