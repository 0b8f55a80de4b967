using System.Text.Json.Serialization;

namespace MlStack.Benchmarks.GenAI;

/// <summary>What one peer process measured: the load, then one entry per prompt (warm-up runs excluded).</summary>
public sealed record PeerReport(
    string Runtime, string Model, string ModelType, int Threads, double LoadSeconds, long PeakRssAfterLoadBytes,
    long PeakRssBytes, IReadOnlyList<PeerRun> Runs);

/// <summary>
/// One greedy run: TTFT is the prompt's forward pass plus the first token's selection; decode tokens/s counts the
/// tokens after the first over the time after it (0 for a run of one token); inter-token latency is each decode step's time.
/// </summary>
public sealed record PeerRun(
    int PromptLength, int GeneratedTokens, double TtftMs, double DecodeTokensPerSecond, double InterTokenP50Ms,
    double InterTokenP99Ms, IReadOnlyList<int> GeneratedIds);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(PeerReport))]
internal sealed partial class PeerJson : JsonSerializerContext;
