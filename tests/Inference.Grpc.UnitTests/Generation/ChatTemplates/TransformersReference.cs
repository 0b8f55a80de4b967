using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MlStack.Inference.UnitTests.Generation.ChatTemplates;

/// <summary>What Jinja2, set up as transformers sets it up, renders for a template and its variables (or how it fails).</summary>
internal sealed record ReferenceResult(string? Text, string? Error, bool Raised);

/// <summary>
/// Runs transformers_render.py under Debian's python3 with python3-jinja2 (installed by ./mlstack setup) for a batch of
/// cases at once. The reference is run, not stored: a golden file could drift from what Jinja2 really renders.
/// </summary>
internal static class TransformersReference
{
    /// <summary>Debian's interpreter, whose python3-jinja2 setup installs (a python3 first on PATH may lack Jinja2).</summary>
    public const string Python = "/usr/bin/python3";

    public static IReadOnlyList<ReferenceResult> Render(IEnumerable<(string Template, JsonObject Variables)> cases, DateTimeOffset now)
    {
        var request = new JsonObject
        {
            ["now"] = now.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
            ["cases"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject { ["template"] = c.Template, ["variables"] = c.Variables.DeepClone() }).ToArray()),
        };
        var script = Path.Combine(AppContext.BaseDirectory, "Generation", "ChatTemplates", "transformers_render.py");
        var start = new ProcessStartInfo(Python, [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
        };
        start.Environment["PYTHONIOENCODING"] = "utf-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{Python} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(request.ToJsonString());
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The reference renderer failed ({process.ExitCode}); is python3-jinja2 installed (./mlstack setup)? {errors.Result}");
        }
        using var results = JsonDocument.Parse(output.Result);
        return results.RootElement.EnumerateArray().Select(r => new ReferenceResult(
            r.TryGetProperty("text", out var t) ? t.GetString() : null,
            r.TryGetProperty("error", out var e) ? e.GetString() : null,
            r.TryGetProperty("raised", out var raised) && raised.GetBoolean())).ToList();
    }
}
