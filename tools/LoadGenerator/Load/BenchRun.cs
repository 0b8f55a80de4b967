using System.Diagnostics;
using MlStack.LoadGenerator.Cli;
using MlStack.LoadGenerator.Reporting;
using MlStack.LoadGenerator.Targets;
using Spectre.Console;

namespace MlStack.LoadGenerator.Load;

/// <summary>One benchmark: a probe that the target answers at all, the warm-up, then the measured load and its report.</summary>
public sealed class BenchRun(BenchOptions options, ILoadTarget target, IAnsiConsole console)
{
    private readonly LoadDriver _driver = new(target, options);

    public async Task<LoadReport> RunAsync(CancellationToken cancellationToken)
    {
        await target.PrepareAsync(cancellationToken);
        await ProbeAsync(cancellationToken);
        if (options.Warmup > TimeSpan.Zero)
            await WithProgressAsync("warm-up", new PhaseLimit(null, options.Warmup), new RunRecorder(), cancellationToken);

        var recorder = new RunRecorder();
        var startedAt = DateTimeOffset.UtcNow;
        var elapsed = await WithProgressAsync("load", new PhaseLimit(options.Requests, options.Duration), recorder, cancellationToken);
        return ReportBuilder.Build(options, target.TokenKind, recorder, elapsed, startedAt, ReportBuilder.ReadMachine());
    }

    /// <summary>One request first, left out of the report: nothing listening is one clear line, not a table of failures.</summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.RequestTimeout);
        try
        {
            await target.SendAsync(timeout.Token);
        }
        catch (Exception e) when (Failures.IsUnreachable(e))
        {
            throw new UsageException($"Cannot reach {target.Description}: {Innermost(e).Message}", ExitCodes.TargetUnusable);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // It answered, if with an error: the run counts such answers by status.
        }
    }

    private async Task<TimeSpan> WithProgressAsync(string phase, PhaseLimit limit, RunRecorder recorder, CancellationToken cancellationToken)
    {
        if (!options.Progress || !console.Profile.Capabilities.Interactive)
            return await _driver.RunAsync(limit, recorder, cancellationToken);

        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(phase, maxValue: 1);
                var started = Stopwatch.GetTimestamp();
                var running = _driver.RunAsync(limit, recorder, cancellationToken);
                while (!running.IsCompleted)
                {
                    var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    task.Value = limit.Requests is { } n ? (recorder.Ok + recorder.Failed) / (double)n : seconds / limit.Duration!.Value.TotalSeconds;
                    task.Description = $"{phase}: {recorder.Ok} ok, {recorder.Failed} failed, {recorder.Ok / Math.Max(seconds, 1e-3):F1}/s";
                    await Task.WhenAny(running, Task.Delay(250, CancellationToken.None));
                }
                task.Value = 1;
                return await running;
            });
    }

    private static Exception Innermost(Exception e)
    {
        var inner = e is Grpc.Core.RpcException { Status.DebugException: { } debug } ? debug : e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return inner;
    }
}
