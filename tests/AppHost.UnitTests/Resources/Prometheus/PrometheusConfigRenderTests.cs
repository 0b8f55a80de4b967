using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Resources.Prometheus;
using MlStack.AppHost.Runtime;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Resources.Prometheus;

/// <summary>prometheus.yml comes from the scrape targets, addressed however the context says (run mode or a network).</summary>
public sealed class PrometheusConfigRenderTests
{
    [Fact]
    public async Task One_job_per_scrape_target_at_the_address_the_context_gives()
    {
        using var state = new TestDirectory();
        var builder = DistributedApplication.CreateBuilder(["--operation", "publish"]);
        var runtime = new StackRuntime(StackRuntimeKind.Containers, "test", state.Path, state.Path);
        var api = builder.AddContainer("api", "img/api").WithHttpEndpoint(targetPort: 7000, name: "http");
        var worker = builder.AddContainer("worker", "img/worker").WithHttpEndpoint(targetPort: 7100, name: "metrics");
        var prometheus = builder.AddPrometheus("prometheus", runtime)
            .WithScrapeTarget(api)
            .WithScrapeTarget(worker, endpointName: "metrics", metricsPath: "/stats");
        var asked = new List<string>();
        var context = new ConfigFileContext((endpoint, _) =>
        {
            asked.Add($"{endpoint.Resource.Name}/{endpoint.EndpointName}");
            return ValueTask.FromResult($"{endpoint.Resource.Name}.test:1");
        }, CancellationToken.None);

        var config = await prometheus.Resource.Annotations.OfType<ConfigFileAnnotation>().Single().RenderAsync(context);

        Assert.Equal(["api/http", "worker/metrics"], asked);
        Assert.Contains("  - job_name: \"api\"\n    metrics_path: \"/metrics\"\n    static_configs:\n      - targets: [\"api.test:1\"]", config.ReplaceLineEndings("\n"));
        Assert.Contains("  - job_name: \"worker\"\n    metrics_path: \"/stats\"\n    static_configs:\n      - targets: [\"worker.test:1\"]", config.ReplaceLineEndings("\n"));
    }
}
