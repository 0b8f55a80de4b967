namespace MlStack.Testing;

/// <summary>promtool (installed with Debian's prometheus by ./mlstack setup) judges what Prometheus would read.</summary>
public static class Promtool
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private const string Install = "./mlstack setup installs Debian's prometheus, which brings promtool.";

    /// <summary>Lints a /metrics exposition as Prometheus would scrape it; fails with promtool's findings.</summary>
    public static async Task AssertMetricsAcceptedAsync(string exposition, string what = "the exposition")
    {
        var run = await ChildProcess.RunAsync("promtool", ["check", "metrics"], Bound, standardInput: exposition, whenMissing: Install);
        Assert.True(run.ExitCode == 0, $"promtool check metrics rejects {what} (exit {run.ExitCode}):\n{run.Output}");
    }

    /// <summary>Checks a prometheus.yml as the server would load it.</summary>
    public static async Task AssertConfigAcceptedAsync(string configFile)
    {
        var run = await ChildProcess.RunAsync("promtool", ["check", "config", configFile], Bound, whenMissing: Install);
        Assert.True(run.ExitCode == 0, $"promtool check config rejects {configFile} (exit {run.ExitCode}):\n{run.Output}");
    }
}
