using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Health;

/// <summary>The services whose health the overview page shows, each with the path that answers for it.</summary>
public sealed class MonitoredServiceOptions
{
    public const string SectionName = "Dashboard";

    [MinLength(1)]
    public List<MonitoredService> Services { get; set; } = [];
}

public sealed class MonitoredService
{
    [Required]
    public string Name { get; set; } = "";

    [Required]
    public Uri BaseAddress { get; set; } = null!;

    [Required]
    public string HealthPath { get; set; } = "/health";
}
