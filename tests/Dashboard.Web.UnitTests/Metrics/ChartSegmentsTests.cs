using MlStack.Dashboard.Services.Metrics;

namespace MlStack.Dashboard.UnitTests.Metrics;

public sealed class ChartSegmentsTests
{
    private static readonly DateTime T0 = new(2026, 12, 7, 6, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_line_is_split_where_points_are_missing_and_kept_whole_where_they_follow_each_step()
    {
        (DateTime, double)[] points = [(T0, 1), (T0 + Step, 2), (T0 + 2 * Step, 3), (T0 + 10 * Step, 4), (T0 + 11 * Step, 5)];

        var segments = ChartSegments.Split(points, Step);

        Assert.Equal([[1, 2, 3], [4, 5]], segments.Select(s => s.Select(p => p.Value).ToArray()).ToArray());
    }

    [Fact]
    public void A_single_point_after_a_gap_is_a_segment_of_its_own()
    {
        var segments = ChartSegments.Split([(T0, 1), (T0 + 5 * Step, 2)], Step);

        Assert.Equal(2, segments.Count);
        Assert.All(segments, s => Assert.Single(s));
    }
}
