using MlStack.AppHost.Resources.Prometheus;

namespace MlStack.AppHost.UnitTests.Resources.Prometheus;

public sealed class PrometheusConfigWriterTests
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
}
