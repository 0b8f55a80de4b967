using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.Load;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.UnitTests.Load;

public sealed class LoadDriverTests
{
    /// <summary>Answers at once; every third request fails with HTTP 503, every fifth throws like a broken connection.</summary>
    private sealed class EveryThirdFails : ILoadTarget
    {
        private int _calls;

        public int Calls => _calls;

        public string Description => "scripted";

        public string TokenKind => "generated";

        public async Task<RequestOutcome> SendAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _calls);
            await Task.Yield();
            if (call % 5 == 0) throw new HttpRequestException("reset");
            return call % 3 == 0 ? throw new HttpStatusException(503, "busy") : RequestOutcome.Success(2);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static BenchOptions Options(LoadMode mode) => new()
    {
        Target = TargetKind.OpenAiChat,
        Url = new Uri("http://127.0.0.1:1"),
        Text = "x",
        Mode = mode,
        Concurrency = 3,
        Rate = 2000,
        Prices = [],
    };

    [Theory]
    [InlineData(LoadMode.Closed)]
    [InlineData(LoadMode.Open)]
    public async Task A_request_count_sends_exactly_that_many_and_each_has_one_outcome(LoadMode mode)
    {
        var target = new EveryThirdFails();
        var recorder = new RunRecorder();

        await new LoadDriver(target, Options(mode)).RunAsync(new PhaseLimit(30, null), recorder, CancellationToken.None);

        Assert.Equal(30, target.Calls);
        Assert.Equal(30, recorder.Sent);
        Assert.Equal(30, recorder.Ok + recorder.Failed);
        Assert.Equal(6, recorder.Errors[Failures.ConnectionFailed]);
        Assert.Equal(8, recorder.Errors["HTTP 503"]);
        Assert.Equal(16, recorder.Ok);
        Assert.Equal(32, recorder.Tokens);
        Assert.Equal(30, recorder.Latency.TotalCount);
    }
}
