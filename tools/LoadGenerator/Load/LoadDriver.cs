using System.Diagnostics;
using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.Load;

/// <summary>What one phase of a run (the warm-up or the measured part) sends: a number of requests, or for a time.</summary>
public sealed record PhaseLimit(long? Requests, TimeSpan? Duration);

/// <summary>Sends the load of a run at one target, closed or open loop, and records each answer.</summary>
public sealed class LoadDriver(ILoadTarget target, BenchOptions options)
{
    /// <summary>
    /// In duration mode, requests still in flight when the time is up get this long to finish, then are cancelled and
    /// counted as such: the run ends on time even when a generation would take minutes.
    /// </summary>
    public static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(2);

    /// <summary>Runs one phase into <paramref name="recorder"/>; returns when every request it sent has an outcome.</summary>
    public async Task<TimeSpan> RunAsync(PhaseLimit limit, RunRecorder recorder, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var hardStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (limit.Duration is { } duration)
        {
            stopSending.CancelAfter(duration);
            hardStop.CancelAfter(duration + DrainGrace);
        }
        if (options.Mode == LoadMode.Closed)
            await RunClosedAsync(limit, recorder, stopSending.Token, hardStop.Token);
        else
            await RunOpenAsync(limit, recorder, start, stopSending.Token, hardStop.Token);
        var end = recorder.LastCompletion > start ? recorder.LastCompletion : Stopwatch.GetTimestamp();
        return Stopwatch.GetElapsedTime(start, end);
    }

    private async Task RunClosedAsync(PhaseLimit limit, RunRecorder recorder, CancellationToken stopSending, CancellationToken hardStop)
    {
        long claimed = 0;
        bool Claim() => !stopSending.IsCancellationRequested && (limit.Requests is not { } n || Interlocked.Increment(ref claimed) <= n);

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(async () =>
        {
            while (Claim()) await SendOneAsync(Stopwatch.GetTimestamp(), recorder, hardStop);
        })));
    }

    private async Task RunOpenAsync(PhaseLimit limit, RunRecorder recorder, long start, CancellationToken stopSending, CancellationToken hardStop)
    {
        var schedule = new ArrivalSchedule(options.Rate);
        var total = limit.Requests ?? schedule.CountWithin(limit.Duration!.Value);
        using var slots = new SemaphoreSlim(options.Concurrency);
        var inFlight = new List<Task>();
        try
        {
            for (long i = 0; i < total && !stopSending.IsCancellationRequested; i++)
            {
                var due = start + (long)(schedule.Offset(i).TotalSeconds * Stopwatch.Frequency);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero) await Task.Delay(wait, stopSending);
                // A full client waits here; the wait counts in the latency, since it runs from the due time.
                await slots.WaitAsync(stopSending);
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await SendOneAsync(due, recorder, hardStop);
                    }
                    finally
                    {
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (stopSending.IsCancellationRequested)
        {
            // The time is up (or the user stopped the run): nothing more is sent.
        }
        await Task.WhenAll(inFlight);
    }

    private async Task SendOneAsync(long intendedStart, RunRecorder recorder, CancellationToken hardStop)
    {
        recorder.Started();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(hardStop);
        timeout.CancelAfter(options.RequestTimeout);
        RequestOutcome outcome;
        try
        {
            outcome = await target.SendAsync(timeout.Token);
        }
        catch (Exception e)
        {
            outcome = RequestOutcome.Failure(
                hardStop.IsCancellationRequested ? Failures.CancelledAtEnd
                : timeout.IsCancellationRequested ? Failures.Timeout
                : Failures.Status(e));
        }
        recorder.Completed(intendedStart, Stopwatch.GetTimestamp(), outcome);
    }
}
