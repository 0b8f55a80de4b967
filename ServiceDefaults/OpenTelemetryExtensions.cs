using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

public static class OpenTelemetryExtensions
{
    /// <summary>Every meter and activity source of MlStack's own code starts with this prefix.</summary>
    public const string MlStackInstrumentationPrefix = "MlStack.";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(MlStackInstrumentationPrefix + "*")
                .RenameCountGauges()
                // Prometheus scrapes /metrics on every service; OTLP feeds the Aspire dashboard.
                .AddPrometheusExporter())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(MlStackInstrumentationPrefix + "*")
                .AddAspNetCoreInstrumentation(options =>
                    // Scrapes and probes would drown the traces that matter.
                    options.Filter = context => !IsInfrastructurePath(context.Request.Path))
                .AddHttpClientInstrumentation());

        // The OTLP exporter is added only when Aspire (or an operator) gives an endpoint.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// Prometheus reserves the _count suffix for histograms and summaries, so promtool rejects the runtime's
    /// dotnet.*.count gauges as exported; these names say the same without the reserved suffix.
    /// </summary>
    private static MeterProviderBuilder RenameCountGauges(this MeterProviderBuilder metrics) => metrics
        .AddView("dotnet.assembly.count", "dotnet.assembly.loaded")
        .AddView("dotnet.process.cpu.count", "dotnet.process.cpu.available")
        .AddView("dotnet.timer.count", "dotnet.timer.active");

    private static bool IsInfrastructurePath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath)
        || path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath)
        || path.StartsWithSegments(ServiceDefaultsExtensions.MetricsPath);
}
