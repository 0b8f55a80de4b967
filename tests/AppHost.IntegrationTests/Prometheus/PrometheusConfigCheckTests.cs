using MlStack.AppHost.Prometheus;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Prometheus;

public sealed class PrometheusConfigCheckTests
{
    /// <summary>Scrape jobs as run mode and the publishers write them: local, in-network and quoted names.</summary>
    private static readonly ScrapeJob[] Jobs =
    [
        new("vectors", "localhost:5190"),
        new("inference", "inference:8080", "/metrics"),
        new("dash\"board", "host.docker.internal:5200", "/custom/metrics"),
    ];

    [Fact]
    public async Task PromtoolAcceptsTheConfiguration()
    {
        using var directory = new TestDirectory();
        var file = Path.Combine(directory.Path, "prometheus.yml");
        await File.WriteAllTextAsync(file, PrometheusConfigWriter.Render(Jobs, TimeSpan.FromSeconds(15)));

        await Promtool.AssertConfigAcceptedAsync(file);
    }
}
