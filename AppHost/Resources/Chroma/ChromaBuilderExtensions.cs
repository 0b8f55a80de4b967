using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Runtime;

namespace MlStack.AppHost.Resources.Chroma;

public static class ChromaBuilderExtensions
{
    public const string Image = "chromadb/chroma";
    public const string ImageTag = "1.0.20";
    public const int ContainerPort = 8000;
    public const string HeartbeatPath = "/api/v2/heartbeat";

    /// <summary>
    /// A real ChromaDB server: the pinned image with a named volume, or the npm chromadb CLI as a local process
    /// with its data in the state folder. Healthy while its heartbeat answers.
    /// </summary>
    public static IResourceBuilder<IChromaResource> AddChroma(this IDistributedApplicationBuilder builder, string name, StackRuntime runtime)
    {
        IResourceBuilder<IChromaResource> chroma = runtime.Kind == StackRuntimeKind.Containers
            ? builder.AddChromaContainer(name)
            : builder.AddChromaProcess(name, runtime);
        // The heartbeat answers while the server runs and needs nothing else: it serves liveness and readiness alike.
        return chroma.WithHttpHealthCheck(HeartbeatPath).WithHttpLivenessCheck(HeartbeatPath);
    }

    private static IResourceBuilder<ChromaContainerResource> AddChromaContainer(this IDistributedApplicationBuilder builder, string name)
    {
        return builder.AddResource(new ChromaContainerResource(name))
            .WithImage(Image, ImageTag)
            .WithHttpEndpoint(targetPort: ContainerPort, name: "http")
            .WithVolume($"mlstack-{name}-data", "/data")
            .WithEnvironment("IS_PERSISTENT", "TRUE")
            .WithEnvironment("ANONYMIZED_TELEMETRY", "FALSE")
            // The image runs as root by default; a fixed uid plus fsGroup lets it own its volume. Its Debian base has bash.
            .WithImageConventions(runAsUser: 1000, HealthProbeTool.Bash)
            // Its config (persist_path: /data) keeps everything in the volume; SQLite may spill temporary files to /tmp.
            .WithScratchDirectory("/tmp", sizeMi: 64);
    }

    private static IResourceBuilder<ChromaProcessResource> AddChromaProcess(this IDistributedApplicationBuilder builder, string name, StackRuntime runtime)
    {
        var node = Prerequisites.RequireOnPath("node", "Node.js 20 (Debian: apt-get install -y --no-install-recommends nodejs)");
        var packageDirectory = Path.Combine(runtime.ToolsDirectory, "chroma");
        var cli = Prerequisites.RequireFile(
            Path.Combine(packageDirectory, "node_modules", "chromadb", "dist", "cli.mjs"),
            $"the Chroma server from npm (npm ci --prefix {packageDirectory})");
        var dataDirectory = runtime.StatePath(name);
        Directory.CreateDirectory(dataDirectory);

        var chroma = builder.AddResource(new ChromaProcessResource(name, node, packageDirectory))
            .WithHttpEndpoint(name: "http")
            .WithEnvironment("ANONYMIZED_TELEMETRY", "FALSE");
        var endpoint = chroma.GetEndpoint("http");
        return chroma.WithArgs(context =>
        {
            context.Args.Add(cli);
            context.Args.Add("run");
            context.Args.Add("--path");
            context.Args.Add(dataDirectory);
            context.Args.Add("--host");
            context.Args.Add("127.0.0.1");
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });
    }
}
