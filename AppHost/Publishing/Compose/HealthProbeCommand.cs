using System.Globalization;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing.Compose;

/// <summary>
/// Container health checks without curl or wget: the .NET and CUDA images have neither, and adding one only for
/// probes grows every image. bash can open a TCP socket itself (/dev/tcp), send one HTTP request and read the
/// status line. Busybox images (Prometheus) have wget but no bash.
/// </summary>
public static class HealthProbeCommand
{
    public static IReadOnlyList<string> For(HealthProbeTool tool, int port, string path) => tool switch
    {
        HealthProbeTool.Bash => ["CMD", "bash", "-c", BashHttpGet(port, path)],
        HealthProbeTool.BusyboxWget => ["CMD", "wget", "-q", "--spider", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}{path}"],
        _ => throw new ArgumentOutOfRangeException(nameof(tool)),
    };

    /// <summary>Succeeds only on a 200 status line; the Dockerfiles' HEALTHCHECKs use the same script.</summary>
    public static string BashHttpGet(int port, string path) =>
        $"exec 3<>/dev/tcp/127.0.0.1/{port.ToString(CultureInfo.InvariantCulture)} && " +
        $"printf 'GET {path} HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && " +
        "head -n 1 <&3 | grep -q ' 200 '";
}
