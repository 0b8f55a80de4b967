using System.Text.Json;

namespace MlStack.Dashboard.Health;

/// <summary>
/// Reads a health answer: the JSON report MlStack services write (status plus named checks), or any other body
/// (Prometheus answers /-/ready with plain text), where the HTTP status decides. Never throws on odd bodies.
/// </summary>
public sealed record HealthReading(ServiceHealthStatus Status, IReadOnlyList<(string Name, ServiceHealthStatus Status, string? Description)> Checks, string Text)
{
    public static HealthReading Read(string body, bool success)
    {
        var fallback = success ? ServiceHealthStatus.Healthy : ServiceHealthStatus.Unhealthy;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new HealthReading(fallback, [], Shorten(body));
            }
            var status = ParseStatus(root, fallback);
            var checks = root.TryGetProperty("checks", out var array) && array.ValueKind == JsonValueKind.Array
                ? array.EnumerateArray()
                    .Where(c => c.ValueKind == JsonValueKind.Object)
                    .Select(c => (
                        Name: c.TryGetProperty("name", out var n) ? n.GetString() ?? "?" : "?",
                        Status: ParseStatus(c, ServiceHealthStatus.Unhealthy),
                        Description: c.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null))
                    .ToList()
                : [];
            var text = checks.Count > 0 ? string.Join(", ", checks.Select(c => $"{c.Name}: {c.Status}")) : Shorten(body);
            return new HealthReading(status, checks, text);
        }
        catch (JsonException)
        {
            return new HealthReading(fallback, [], Shorten(body));
        }
    }

    private static ServiceHealthStatus ParseStatus(JsonElement element, ServiceHealthStatus fallback) =>
        element.TryGetProperty("status", out var status)
        && status.ValueKind == JsonValueKind.String
        && Enum.TryParse<ServiceHealthStatus>(status.GetString(), ignoreCase: true, out var parsed)
            ? parsed
            : fallback;

    private static string Shorten(string body)
    {
        body = body.Trim();
        return body.Length > 120 ? body[..120] + "…" : body;
    }
}
