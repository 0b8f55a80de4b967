using System.Diagnostics;
using MlStack.AppHost.Prometheus;
using MlStack.AppHost.Tests.Runtime;

namespace MlStack.AppHost.Tests.Prometheus;

public sealed class PrometheusConfigWriterTests(ITestOutputHelper output)
{
    private static readonly ScrapeJob[] Jobs =
    [
        new("vectors", "localhost:5190"),
        new("inference", "inference:8080", "/metrics"),
        new("dash\"board", "host.docker.internal:5200", "/custom/metrics"),
    ];

    [Fact]
    public void OneJobPerServiceInNameOrder()
    {
        var yaml = PrometheusConfigWriter.Render(Jobs, TimeSpan.FromSeconds(5));

        Assert.Contains("  scrape_interval: 5s", yaml);
        var jobNames = yaml.Split('\n').Where(l => l.Contains("job_name:")).Select(l => l.Trim()).ToArray();
        Assert.Equal(["- job_name: \"dash\\\"board\"", "- job_name: \"inference\"", "- job_name: \"vectors\""], jobNames);
        Assert.Contains("      - targets: [\"localhost:5190\"]", yaml);
        Assert.Contains("    metrics_path: \"/custom/metrics\"", yaml);
    }

    [Fact]
    public async Task PromtoolAcceptsTheConfiguration()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(file, PrometheusConfigWriter.Render(Jobs, TimeSpan.FromSeconds(15)));

        var start = new ProcessStartInfo("promtool", ["check", "config", file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        var text = await stdout + await stderr;

        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, text);
        Assert.Contains("SUCCESS", text);
    }
}
