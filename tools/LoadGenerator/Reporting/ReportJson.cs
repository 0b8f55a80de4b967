using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlStack.LoadGenerator.Reporting;

/// <summary>The report as JSON: camelCase, indented, nulls written (a reader sees every field of the shape).</summary>
public static class ReportJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static string Serialize(LoadReport report) => JsonSerializer.Serialize(report, Options);

    public static async Task WriteAsync(LoadReport report, string path, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, Serialize(report) + "\n", cancellationToken);
    }
}
