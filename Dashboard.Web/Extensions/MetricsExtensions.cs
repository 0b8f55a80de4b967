using MlStack.Dashboard.Services.Cost;
using MlStack.Dashboard.Services.Metrics;

namespace Microsoft.Extensions.Hosting;

public static class MetricsExtensions
{
    /// <summary>Prometheus, found by service discovery.</summary>
    public static readonly Uri PrometheusAddress = new("http://prometheus");

    /// <summary>The Prometheus client behind the metrics and cost pages, with ServiceDefaults' standard resilience.</summary>
    public static WebApplicationBuilder AddPrometheusMetrics(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient<PrometheusClient>(client => client.BaseAddress = PrometheusAddress);
        builder.Services.AddScoped<MetricsReader>();
        builder.Services.AddScoped<ThroughputReader>();
        return builder;
    }
}
