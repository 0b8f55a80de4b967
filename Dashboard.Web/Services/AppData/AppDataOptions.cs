using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Services.AppData;

/// <summary>
/// Where the dashboard keeps what must survive a restart: the comparison tally, user-added chat endpoints and the
/// keys that protect sign-in cookies. The AppHost points it at the state folder locally and at a volume when published.
/// </summary>
public sealed class AppDataOptions
{
    public const string SectionName = "Dashboard";

    [Required]
    public string DataDirectory { get; set; } = "data";

    public string ResolvePath(string contentRoot) => Path.GetFullPath(DataDirectory, contentRoot);
}
