using System.Diagnostics;
using System.ComponentModel;

namespace MlStack.AppHost.Runtime;

/// <summary>Asks the container CLI whether an engine is really there: the docker client alone is not enough.</summary>
public static class ContainerEngineProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static bool Answers(string cli = "docker")
    {
        var start = new ProcessStartInfo(cli, ["info", "--format", "{{.ServerVersion}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0 && !string.IsNullOrWhiteSpace(output.Result);
        }
        catch (Win32Exception)
        {
            // The CLI is not installed at all.
            return false;
        }
    }
}
