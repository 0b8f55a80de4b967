namespace MlStack.AppHost.Publishing;

/// <summary>
/// How MlStack's own images are built (tools/container/): the publishers emit these build settings, and CI
/// (.github/workflows/ci.yml) builds the same images.
/// </summary>
public static class MlStackImages
{
    /// <summary>The one Dockerfile of every plain ASP.NET project; a project with a Dockerfile of its own (CUDA) uses that.</summary>
    public const string SharedDockerfile = "tools/container/aspnet.Dockerfile";

    /// <summary>The shared Dockerfile's build argument: the project's name, which is also its folder.</summary>
    public const string ProjectArgument = "PROJECT";

    /// <summary>The health check script of every image, and of compose services whose image has bash but not the script.</summary>
    public const string HealthCheckScript = "tools/container/healthcheck.sh";

    /// <summary>Where every MlStack image installs <see cref="HealthCheckScript"/>.</summary>
    public const string InstalledHealthCheck = "/usr/local/bin/mlstack-healthcheck";
}
