namespace MlStack.AppHost.Publishing.Annotations;

/// <summary>What can run a container health check inside an image; none of MlStack's images has curl.</summary>
public enum HealthProbeTool
{
    /// <summary>MlStack's health check script (tools/container/healthcheck.sh), installed by MlStack's own Dockerfiles.</summary>
    Script,

    /// <summary>bash, head and grep but not the script: the script's lines run through <c>bash -c</c>.</summary>
    Bash,

    /// <summary>busybox wget, for images without bash.</summary>
    BusyboxWget,
}

/// <summary>
/// What the publishers must know about an image that the app model does not say: which non-root user owns its
/// files and which tool can run a container health check inside it. A resource that runs a third-party image
/// states them (<see cref="DeploymentExtensions.WithImageConventions{T}"/>); projects are built by MlStack's
/// Dockerfiles, which follow <see cref="MlStackImage"/>.
/// </summary>
public sealed record ImageConventionsAnnotation(long RunAsUser, HealthProbeTool ProbeTool) : IResourceAnnotation
{
    /// <summary>The "app" user of Microsoft's .NET images (the CUDA image creates it too), and the installed script.</summary>
    public static readonly ImageConventionsAnnotation MlStackImage = new(1654, HealthProbeTool.Script);

    /// <summary>For a container that states nothing: a common non-root uid, and bash, which Debian and Ubuntu images have.</summary>
    public static readonly ImageConventionsAnnotation Unstated = new(1000, HealthProbeTool.Bash);

    /// <summary>
    /// /tmp, writable in MlStack's images and in images that state nothing: .NET writes its diagnostics sockets and
    /// buffers large request bodies (document uploads) there.
    /// </summary>
    public static readonly ScratchDirectoryAnnotation TemporaryDirectory = new("/tmp", 256);

    /// <summary>ServiceDefaults' liveness endpoint, which every MlStack project maps (only the "live" checks: the process answers).</summary>
    public const string MlStackLivenessPath = "/alive";
}
