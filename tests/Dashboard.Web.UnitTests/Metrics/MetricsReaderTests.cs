using Microsoft.Extensions.Logging.Abstractions;
using MlStack.Dashboard.Services.Metrics;

namespace MlStack.Dashboard.UnitTests.Metrics;

public sealed class MetricsReaderTests
{
    [Fact]
    public async Task An_unreachable_prometheus_gives_every_panel_a_message_instead_of_an_exception()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ClosedPort.Next()}"), Timeout = TimeSpan.FromSeconds(10) };
        var reader = new MetricsReader(new PrometheusClient(http), NullLogger<MetricsReader>.Instance);

        var panels = await reader.ReadAsync(MetricsRange.All[0], DateTime.UtcNow, CancellationToken.None);

        Assert.Equal(MetricPanels.All.Count, panels.Count);
        Assert.All(panels, p => Assert.Equal("Prometheus cannot be reached right now.", p.Problem));
        Assert.All(panels, p => Assert.False(p.HasPoints));
    }

}
