namespace MlStack.Dashboard.Services.Metrics;

/// <summary>One chart of the metrics page: a title, a unit, and one PromQL query per line (the legend is its label).</summary>
public sealed record MetricPanel(string Id, string Title, string Unit, IReadOnlyList<MetricLine> Lines, string EmptyHint, bool OnlyWhenPresent = false);

/// <param name="Legend">The line's name; "{label}" takes that label's value for queries returning several series.</param>
public sealed record MetricLine(string Legend, string Query);
