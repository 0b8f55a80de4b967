using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Resources.Prometheus;

public static class PrometheusBuilderExtensions
{
    public const string Image = "prom/prometheus";
    public const string ImageTag = "v2.55.1";
    public const int ContainerPort = 9090;
    public const string ReadyPath = "/-/ready";
    public const string HealthyPath = "/-/healthy";
    public const string ConfigFileName = "prometheus.yml";
    public const string ConfigDirectory = "/etc/prometheus";
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A real Prometheus scraping every service registered with <see cref="WithScrapeTarget{T}"/>. Its prometheus.yml
    /// is rendered from the scrape targets: in run mode just before it starts (when every endpoint has its port),
    /// and by the publishers with in-network addresses.
    /// </summary>
    public static IResourceBuilder<IPrometheusResource> AddPrometheus(this IDistributedApplicationBuilder builder, string name, StackRuntime runtime)
    {
        var hostConfigDirectory = runtime.StatePath(name, "config");
        IResourceBuilder<IPrometheusResource> prometheus = runtime.Kind == StackRuntimeKind.Containers
            ? builder.AddPrometheusContainer(name, hostConfigDirectory)
            : builder.AddPrometheusProcess(name, runtime, Path.Combine(hostConfigDirectory, ConfigFileName));

        var resource = prometheus.Resource;
        prometheus.WithHttpHealthCheck(ReadyPath)
            // Healthy while the process runs; ready only once its storage is loaded.
            .WithHttpLivenessCheck(HealthyPath)
            .WithConfigFile(ConfigFileName, ConfigDirectory, context => RenderConfigAsync(resource, context));

        if (builder.ExecutionContext.IsRunMode)
        {
            // Services run on the host in run mode; a container reaches them through host.docker.internal.
            var targetHost = runtime.Kind == StackRuntimeKind.Containers ? "host.docker.internal" : "localhost";
            builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (_, cancellationToken) =>
            {
                var context = new ConfigFileContext(
                    async (endpoint, token) => $"{targetHost}:{await endpoint.Property(EndpointProperty.Port).GetValueAsync(token)}",
                    cancellationToken);
                Directory.CreateDirectory(hostConfigDirectory);
                await File.WriteAllTextAsync(Path.Combine(hostConfigDirectory, ConfigFileName), await RenderConfigAsync(resource, context), cancellationToken);
            });
        }
        return prometheus;
    }

    /// <summary>Prometheus scrapes this resource's /metrics on the given endpoint.</summary>
    public static IResourceBuilder<IPrometheusResource> WithScrapeTarget<T>(
        this IResourceBuilder<IPrometheusResource> prometheus, IResourceBuilder<T> target, string endpointName = "http", string metricsPath = "/metrics")
        where T : IResourceWithEndpoints
    {
        return prometheus.WithAnnotation(new PrometheusScrapeTargetAnnotation(target.Resource, endpointName, metricsPath));
    }

    public static IEnumerable<PrometheusScrapeTargetAnnotation> ScrapeTargets(this IPrometheusResource prometheus) =>
        prometheus.Annotations.OfType<PrometheusScrapeTargetAnnotation>();

    /// <summary>
    /// prometheus.yml with one job per scrape target, addressed as the context says: every replica of the target (so
    /// an autoscaled service is scraped whole, and sums over its replicas are right), or its one address.
    /// </summary>
    public static async Task<string> RenderConfigAsync(IPrometheusResource prometheus, ConfigFileContext context)
    {
        var jobs = new List<ScrapeJob>();
        foreach (var target in prometheus.ScrapeTargets())
        {
            var address = await context.EveryReplicaAsync(target.Target.GetEndpoint(target.EndpointName));
            jobs.Add(new ScrapeJob(target.Target.Name, address.HostAndPort, target.MetricsPath, address.ResolvesEveryReplica));
        }
        return PrometheusConfigWriter.Render(jobs, ScrapeInterval);
    }

    private static IResourceBuilder<PrometheusContainerResource> AddPrometheusContainer(
        this IDistributedApplicationBuilder builder, string name, string hostConfigDirectory)
    {
        var prometheus = builder.AddResource(new PrometheusContainerResource(name))
            .WithImage(Image, ImageTag)
            .WithHttpEndpoint(targetPort: ContainerPort, name: "http")
            .WithVolume($"mlstack-{name}-data", "/prometheus")
            .WithArgs($"--config.file={ConfigDirectory}/{ConfigFileName}", "--storage.tsdb.path=/prometheus")
            // The image is busybox: its files belong to nobody (65534), and it has wget but no bash.
            .WithImageConventions(runAsUser: 65534, HealthProbeTool.BusyboxWget)
            // Its samples are scraped again; a lost volume costs history, not correctness.
            .WithRebuildableData();
        if (builder.ExecutionContext.IsRunMode)
        {
            prometheus.WithBindMount(hostConfigDirectory, ConfigDirectory, isReadOnly: true)
                .WithContainerRuntimeArgs("--add-host=host.docker.internal:host-gateway");
        }
        return prometheus;
    }

    private static IResourceBuilder<PrometheusProcessResource> AddPrometheusProcess(
        this IDistributedApplicationBuilder builder, string name, StackRuntime runtime, string configFile)
    {
        var executable = Prerequisites.RequireOnPath("prometheus", "Prometheus (Debian: apt-get install -y --no-install-recommends prometheus)");
        var dataDirectory = runtime.StatePath(name, "data");
        Directory.CreateDirectory(dataDirectory);

        var prometheus = builder.AddResource(new PrometheusProcessResource(name, executable, runtime.StatePath(name)))
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
