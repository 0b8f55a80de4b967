using System.Text.Json;
using MlStack.LoadGenerator.Reporting;
using MlStack.Testing;

namespace MlStack.LoadGenerator.IntegrationTests.Infrastructure;

/// <summary>What one run of the built tool gave: its exit code, its output, and its --json report when it wrote one.</summary>
public sealed record BenchRun(ProcessRun Process, LoadReport? Report)
{
    public LoadReport RequireReport() =>
        Report ?? throw new Xunit.Sdk.XunitException($"no report (exit {Process.ExitCode}):\n{Process.Output}");
}

/// <summary>Runs tools/LoadGenerator's build output as `./mlstack bench` does, with --json into a temporary file.</summary>
public static class BenchTool
{
    /// <summary>Every run here is bounded to a few seconds of load; this leaves room for a busy machine's start-up.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    public static string Dll => Path.Combine(RepositoryPaths.BuildOutput(Path.Combine("tools", "LoadGenerator")), "LoadGenerator.dll");

    public static async Task<BenchRun> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(Dll), $"The load generator is not built at {Dll}; build MlStack.sln first.");
        var folder = Directory.CreateTempSubdirectory("mlstack-bench-it-").FullName;
        try
        {
            var json = Path.Combine(folder, "report.json");
            var run = await ChildProcess.RunAsync(ChildProcess.Dotnet, [Dll, .. args, "--json", json, "--no-progress"], Bound);
            var report = File.Exists(json) ? JsonSerializer.Deserialize<LoadReport>(await File.ReadAllTextAsync(json), ReportJson.Options) : null;
            return new BenchRun(run, report);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Runs the tool, requires its report and checks that the report is consistent.</summary>
    public static async Task<(BenchRun Run, LoadReport Report)> RunCheckedAsync(params string[] args)
    {
        var run = await RunAsync(args);
        var report = run.RequireReport();
        AssertConsistent(report);
        return (run, report);
    }

    /// <summary>What every report must satisfy: each request sent has one outcome, and the percentiles are ordered.</summary>
    public static void AssertConsistent(LoadReport report)
    {
        Assert.Equal(report.Requests.Sent, report.Requests.Ok + report.Requests.Errors.Values.Sum());
        Assert.Equal(report.Requests.Failed, report.Requests.Errors.Values.Sum());
        Assert.Equal(report.Requests.Sent, report.LatencyMs.Count);
        foreach (var summary in new[] { report.LatencyMs, report.TimeToFirstTokenMs, report.InterTokenLatencyMs }.OfType<LatencySummary>())
        {
            Assert.True(summary.P50 <= summary.P90 && summary.P90 <= summary.P95 && summary.P95 <= summary.P99 && summary.P99 <= summary.Max,
                $"percentiles out of order: {summary}");
        }
    }
}
