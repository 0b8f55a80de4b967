using System.Reflection;

namespace MlStack.AppHost.Publishing.Compose;

/// <summary>
/// tools/container/healthcheck.sh, embedded in the AppHost (see AppHost.csproj) so that compose services whose
/// image has bash but not the script run the very same lines.
/// </summary>
public static class HealthCheckScript
{
    private const string ResourceName = "MlStack.AppHost.healthcheck.sh";

    private static readonly Lazy<string> Text = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The AppHost was built without {MlStackImages.HealthCheckScript}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The script's commands for <c>bash -c</c>: its comments and blank lines left out.</summary>
    public static string Commands => string.Join('\n', Text.Value.ReplaceLineEndings("\n").Split('\n')
        .Where(line => line.Trim() is { Length: > 0 } trimmed && !trimmed.StartsWith('#')));
}
