namespace MlStack.Dashboard.Services.Metrics;

/// <summary>One series of a range query: its labels and its (time, value) points, NaN and infinite values left out.</summary>
public sealed record PrometheusSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTime Time, double Value)> Points);
