using MlStack.Dashboard.Services.Cost;

namespace MlStack.LoadGenerator.Cli;

/// <summary>A validated benchmark run: what to load, how hard, for how long, and how to price it.</summary>
public sealed record BenchOptions
{
    public required TargetKind Target { get; init; }
    public required Uri Url { get; init; }
    public string? ApiKey { get; init; }
    public string? Model { get; init; }
    public required string Text { get; init; }
    public int MaxTokens { get; init; } = 32;
    public bool Stream { get; init; }
    public string? Collection { get; init; }
    public int TopK { get; init; } = 5;
    public string VertexRoute { get; init; } = "/predict";
    public int Batch { get; init; } = 1;

    public LoadMode Mode { get; init; }
    /// <summary>Closed loop: the workers. Open loop: the most requests in flight at once (the client's connections).</summary>
    public int Concurrency { get; init; } = 4;
    /// <summary>Open loop only: requests started per second.</summary>
    public double Rate { get; init; }
    /// <summary>Exactly one of <see cref="Requests"/> and <see cref="Duration"/> is set.</summary>
    public int? Requests { get; init; }
    public TimeSpan? Duration { get; init; }
    public TimeSpan Warmup { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public required IReadOnlyList<InstancePrice> Prices { get; init; }
    public string? JsonPath { get; init; }
    public bool Progress { get; init; } = true;
}
