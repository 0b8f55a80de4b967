using Aspire.Hosting;
using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>Every service's /metrics is what Prometheus accepts: promtool (installed with Debian's prometheus) lints it.</summary>
[Collection(StackCollection.Name)]
public sealed class MetricsEndpointTests(StackFixture fixture)
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

        await Promtool.AssertMetricsAcceptedAsync(metrics, $"the /metrics of {service}");
    }
}
