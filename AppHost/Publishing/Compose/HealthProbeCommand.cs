using System.Globalization;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing.Compose;

/// <summary>
/// A compose healthcheck that runs inside the image with what the image has (see <see cref="HealthProbeTool"/>):
/// MlStack's images run their installed health check script, images with bash run the same script's lines, and
/// busybox images use wget. None needs curl.
/// </summary>
public static class HealthProbeCommand
{
    /// <summary>The name the script sees as $0 when it runs through <c>bash -c</c>.</summary>
    private const string InlineScriptName = "mlstack-healthcheck";

    public static IReadOnlyList<string> For(HealthProbeTool tool, int port, string path)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        return tool switch
        {
            HealthProbeTool.Script => ["CMD", MlStackImages.InstalledHealthCheck, portText, path],
            HealthProbeTool.Bash => ["CMD", "bash", "-c", HealthCheckScript.Commands, InlineScriptName, portText, path],
            HealthProbeTool.BusyboxWget => ["CMD", "wget", "-q", "--spider", $"http://127.0.0.1:{portText}{path}"],
            _ => throw new ArgumentOutOfRangeException(nameof(tool)),
        };
    }
}
