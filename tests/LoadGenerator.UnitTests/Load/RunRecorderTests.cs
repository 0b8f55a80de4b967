using System.Diagnostics;
using MlStack.LoadGenerator.Load;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.UnitTests.Load;

public sealed class RunRecorderTests
{
    private static long Ticks(double milliseconds) => (long)(milliseconds / 1000 * Stopwatch.Frequency);

    [Fact]
    public void Sent_is_ok_plus_the_errors_by_status_and_tokens_count_only_successes()
    {
        var recorder = new RunRecorder();
        var outcomes = new[]
        {
            RequestOutcome.Success(10), RequestOutcome.Failure("HTTP 503"), RequestOutcome.Success(5),
            RequestOutcome.Failure("gRPC Unavailable"), RequestOutcome.Failure("HTTP 503"), RequestOutcome.Failure(Failures.Timeout),
        };
        foreach (var outcome in outcomes)
        {
            recorder.Started();
            recorder.Completed(0, Ticks(5), outcome);
        }
        Assert.Equal(6, recorder.Sent);
        Assert.Equal(2, recorder.Ok);
        Assert.Equal(4, recorder.Failed);
        Assert.Equal(recorder.Sent, recorder.Ok + recorder.Errors.Values.Sum());
        Assert.Equal(2, recorder.Errors["HTTP 503"]);
        Assert.Equal(1, recorder.Errors["gRPC Unavailable"]);
        Assert.Equal(15, recorder.Tokens);
        Assert.Equal(6, recorder.Latency.TotalCount);
    }

    [Fact]
    public void Latency_and_time_to_first_token_count_from_the_intended_start()
    {
        var recorder = new RunRecorder();
        var due = Stopwatch.GetTimestamp();
        var clock = new TokenClock();
        clock.Arrived(1, due + Ticks(300));
        clock.Arrived(2, due + Ticks(340));
        recorder.Started();
        recorder.Completed(due, due + Ticks(400), RequestOutcome.Success(3, clock));

        // HdrHistogram keeps 3 significant digits.
        Assert.InRange(recorder.Latency.GetValueAtPercentile(100), 399_000, 401_000);
        Assert.InRange(recorder.TimeToFirstToken.GetValueAtPercentile(100), 299_000, 301_000);
        Assert.Equal(2, recorder.InterTokenLatency.TotalCount);
        Assert.InRange(recorder.InterTokenLatency.GetValueAtPercentile(50), 19_900, 20_100);
        Assert.Equal(due + Ticks(400), recorder.LastCompletion);
    }

    [Fact]
    public void A_failed_stream_adds_no_token_timings()
    {
        var recorder = new RunRecorder();
        recorder.Started();
        recorder.Completed(0, Ticks(1), new RequestOutcome("HTTP 500", 0, new TokenClock()));
        Assert.Equal(0, recorder.TimeToFirstToken.TotalCount);
        Assert.Equal(0, recorder.Tokens);
    }
}
