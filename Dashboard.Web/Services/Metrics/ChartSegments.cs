namespace MlStack.Dashboard.Services.Metrics;

/// <summary>
/// Splits a line where Prometheus returned no points (an idle period, a service that was down), so the chart leaves
/// a gap there instead of drawing a straight line across it.
/// </summary>
public static class ChartSegments
{
    /// <summary>Two points further apart than this many steps have missing data between them.</summary>
    public const double GapSteps = 1.5;

    public static IReadOnlyList<IReadOnlyList<(DateTime Time, double Value)>> Split(IReadOnlyList<(DateTime Time, double Value)> points, TimeSpan step)
    {
        var segments = new List<IReadOnlyList<(DateTime, double)>>();
        var current = new List<(DateTime, double)>();
        for (var i = 0; i < points.Count; i++)
        {
            if (i > 0 && step > TimeSpan.Zero && points[i].Time - points[i - 1].Time > step * GapSteps)
            {
                segments.Add(current);
                current = [];
            }
            current.Add(points[i]);
        }
        if (current.Count > 0)
        {
            segments.Add(current);
        }
        return segments;
    }
}
