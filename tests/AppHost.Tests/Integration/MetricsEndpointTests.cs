using System.Diagnostics;
using Aspire.Hosting;

namespace MlStack.AppHost.Tests.Integration;

/// <summary>Every service's /metrics is what Prometheus accepts: promtool (installed with Debian's prometheus) lints it.</summary>
[Collection(StackCollection.Name)]
public sealed class MetricsEndpointTests(StackFixture fixture, ITestOutputHelper output)
{
    [Theory]
    [InlineData("inference")]
    [InlineData("vectors")]
    [InlineData("dashboard")]
    public async Task PromtoolAcceptsTheMetrics(string service)
    {
        using var http = new HttpClient { BaseAddress = fixture.Stack.Endpoint(service), Timeout = TimeSpan.FromSeconds(10) };
        // The first scrape after start can be nearly empty; ask after a request so instruments have data.
        await http.GetAsync("/health");
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("# TYPE ", metrics);

        var (exitCode, stdout, stderr) = await PromtoolCheckMetricsAsync(metrics);

        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode} for {service}:\n{stdout}{stderr}");
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> PromtoolCheckMetricsAsync(string metrics)
    {
        var start = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("promtool did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(metrics);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
