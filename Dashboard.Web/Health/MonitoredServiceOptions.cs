using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Health;

/// <summary>The services whose health the overview page shows, each with where its health is read.</summary>
public sealed class MonitoredServiceOptions
{
    public const string SectionName = "Dashboard";

    [MinLength(1)]
    public List<MonitoredService> Services { get; set; } = [];
}

/// <summary>
/// One row of the overview. Without a base address the row is this dashboard itself (its own health checks).
/// With <see cref="Check"/>, the row is one named check of another service's report: Chroma has no health JSON
/// of its own that we trust more than the vector proxy's view of its heartbeat.
/// </summary>
public sealed class MonitoredService
{
    [Required]
    public string Name { get; set; } = "";

    public Uri? BaseAddress { get; set; }

    [Required]
    public string HealthPath { get; set; } = "/health";

    public string? Check { get; set; }

    public string Source => BaseAddress is null
        ? "this dashboard"
        : new Uri(BaseAddress, HealthPath) + (Check is null ? "" : $" (check '{Check}')");
}
