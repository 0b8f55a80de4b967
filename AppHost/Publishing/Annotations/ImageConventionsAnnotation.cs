namespace MlStack.AppHost.Publishing.Annotations;

public enum HealthProbeTool
{
    /// <summary>An HTTP request through bash's /dev/tcp: needs bash and grep only, no curl or wget.</summary>
    Bash,

    /// <summary>busybox wget, for images without bash (Prometheus is built on busybox).</summary>
    BusyboxWget,
}

/// <summary>
/// What the publishers must know about an image that the app model does not say: which non-root user owns its
/// files and which tool can run a container health check inside it.
/// </summary>
public sealed record ImageConventions(long RunAsUser, HealthProbeTool ProbeTool)
{
    /// <summary>The "app" user of Microsoft's .NET images; MlStack's own Dockerfiles create it in the CUDA image too.</summary>
    public static readonly ImageConventions DotNet = new(1654, HealthProbeTool.Bash);

    public static ImageConventions ForContainer(string image) => image switch
    {
        "prom/prometheus" => new(65534, HealthProbeTool.BusyboxWget),
        // Chroma's image runs as root by default; a fixed uid plus fsGroup lets it own its volume.
        _ => new(1000, HealthProbeTool.Bash),
    };
}
