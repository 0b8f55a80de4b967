namespace MlStack.Dashboard.Services.Metrics;

/// <summary>A time range of the metrics page and the step that gives about 120 points over it.</summary>
public sealed record MetricsRange(string Label, TimeSpan Duration, TimeSpan Step, TimeSpan LabelSpacing)
{
    public static readonly IReadOnlyList<MetricsRange> All =
    [
        new("5 min", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)),
        new("1 h", TimeSpan.FromHours(1), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(10)),
        new("6 h", TimeSpan.FromHours(6), TimeSpan.FromMinutes(3), TimeSpan.FromHours(1)),
    ];
}
