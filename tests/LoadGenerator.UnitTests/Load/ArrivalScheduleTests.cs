using MlStack.LoadGenerator.Load;

namespace MlStack.LoadGenerator.UnitTests.Load;

public sealed class ArrivalScheduleTests
{
    [Fact]
    public void Request_i_is_due_i_over_rate_seconds_after_the_start()
    {
        var schedule = new ArrivalSchedule(ratePerSecond: 4);
        Assert.Equal(TimeSpan.Zero, schedule.Offset(0));
        Assert.Equal(TimeSpan.FromMilliseconds(250), schedule.Offset(1));
        Assert.Equal(TimeSpan.FromSeconds(25), schedule.Offset(100));
        Assert.Equal(TimeSpan.FromSeconds(7 / 3.0), new ArrivalSchedule(3).Offset(7));
    }

    [Theory]
    [InlineData(10, 2.0, 20)]
    [InlineData(10, 2.05, 21)]
    [InlineData(3, 1.0, 3)]
    [InlineData(0.5, 3.0, 2)]
    [InlineData(1000, 0.0005, 1)]
    [InlineData(7, 0.0, 0)]
    public void Only_requests_due_before_the_end_are_sent(double rate, double seconds, long expected)
    {
        var schedule = new ArrivalSchedule(rate);
        var count = schedule.CountWithin(TimeSpan.FromSeconds(seconds));
        Assert.Equal(expected, count);
        if (count > 0) Assert.True(schedule.Offset(count - 1) < TimeSpan.FromSeconds(seconds));
        Assert.True(schedule.Offset(count) >= TimeSpan.FromSeconds(seconds) - TimeSpan.FromTicks(1));
    }

    [Fact]
    public void A_rate_must_be_positive() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrivalSchedule(0));
}
