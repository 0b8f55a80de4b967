using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Resources.Prometheus;

public static class PrometheusBuilderExtensions
{
    public const string Image = "prom/prometheus";
    public const string ImageTag = "v2.55.1";
    public const int ContainerPort = 9090;
    public const string ReadyPath = "/-/ready";
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A real Prometheus scraping every service registered with <see cref="WithScrapeTarget"/>. Its configuration
    /// is written from the app model just before it starts, when every endpoint has its port.
    /// </summary>
    public static IResourceBuilder<IResourceWithEndpoints> AddPrometheus(this IDistributedApplicationBuilder builder, string name, StackRuntime runtime)
    {
        var configDirectory = runtime.StatePath(name, "config");
        var configFile = Path.Combine(configDirectory, "prometheus.yml");

        IResourceBuilder<IResourceWithEndpoints> prometheus = runtime.Kind == StackRuntimeKind.Containers
            ? builder.AddContainer(name, Image, ImageTag)
                .WithHttpEndpoint(targetPort: ContainerPort, name: "http")
                .WithBindMount(configDirectory, "/etc/prometheus", isReadOnly: true)
                .WithVolume($"mlstack-{name}-data", "/prometheus")
                .WithArgs("--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus")
                // Services run on the host in run mode; this name reaches them from the container.
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway")
            : builder.AddPrometheusProcess(name, runtime, configFile);

        prometheus.WithHttpHealthCheck(ReadyPath);

        if (builder.ExecutionContext.IsRunMode)
        {
            var targetHost = runtime.Kind == StackRuntimeKind.Containers ? "host.docker.internal" : "localhost";
            builder.Eventing.Subscribe<BeforeResourceStartedEvent>(prometheus.Resource, async (_, cancellationToken) =>
            {
                var jobs = await ResolveRunModeJobsAsync(prometheus.Resource, targetHost, cancellationToken);
                Directory.CreateDirectory(configDirectory);
                await File.WriteAllTextAsync(configFile, PrometheusConfigWriter.Render(jobs, ScrapeInterval), cancellationToken);
            });
        }
        return prometheus;
    }

    /// <summary>Prometheus scrapes this resource's /metrics on the given endpoint.</summary>
    public static IResourceBuilder<IResourceWithEndpoints> WithScrapeTarget<T>(
        this IResourceBuilder<IResourceWithEndpoints> prometheus, IResourceBuilder<T> target, string endpointName = "http", string metricsPath = "/metrics")
        where T : IResourceWithEndpoints
    {
        prometheus.WithAnnotation(new PrometheusScrapeTargetAnnotation(target.Resource, endpointName, metricsPath));
        return prometheus;
    }

    public static IEnumerable<PrometheusScrapeTargetAnnotation> ScrapeTargets(this IResource prometheus) =>
        prometheus.Annotations.OfType<PrometheusScrapeTargetAnnotation>();

    private static async Task<List<ScrapeJob>> ResolveRunModeJobsAsync(IResource prometheus, string targetHost, CancellationToken cancellationToken)
    {
        var jobs = new List<ScrapeJob>();
        foreach (var target in prometheus.ScrapeTargets())
        {
            var endpoint = target.Target.GetEndpoint(target.EndpointName);
            var port = await endpoint.Property(EndpointProperty.Port).GetValueAsync(cancellationToken);
            jobs.Add(new ScrapeJob(target.Target.Name, $"{targetHost}:{port}", target.MetricsPath));
        }
        return jobs;
    }

    private static IResourceBuilder<ExecutableResource> AddPrometheusProcess(
        this IDistributedApplicationBuilder builder, string name, StackRuntime runtime, string configFile)
    {
        var executable = Prerequisites.RequireOnPath("prometheus", "Prometheus (Debian: apt-get install -y --no-install-recommends prometheus)");
        var dataDirectory = runtime.StatePath(name, "data");
        Directory.CreateDirectory(dataDirectory);

        var prometheus = builder.AddExecutable(name, executable, runtime.StatePath(name))
            .WithHttpEndpoint(name: "http");
        var endpoint = prometheus.GetEndpoint("http");
        return prometheus.WithArgs(context =>
        {
            context.Args.Add($"--config.file={configFile}");
            context.Args.Add($"--storage.tsdb.path={dataDirectory}");
            context.Args.Add(ReferenceExpression.Create($"--web.listen-address=127.0.0.1:{endpoint.Property(EndpointProperty.TargetPort)}"));
        });
    }
}
