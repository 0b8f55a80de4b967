using System.Diagnostics;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.UnitTests.Targets;

public sealed class TokenClockTests
{
    [Fact]
    public void Gaps_are_spread_over_the_tokens_a_message_carries()
    {
        var ms = Stopwatch.Frequency / 1000;
        var clock = new TokenClock();
        clock.Arrived(0, 5 * ms);
        Assert.Null(clock.FirstTokenAt);
        clock.Arrived(2, 10 * ms);
        clock.Arrived(1, 16 * ms);
        clock.Arrived(3, 46 * ms);
        Assert.Equal(10 * ms, clock.FirstTokenAt);
        Assert.Equal(6, clock.Tokens);
        Assert.Equal([0, 6, 10, 10, 10], clock.InterTokenGapsMs.Select(g => Math.Round(g, 3)));
    }
}
