using Microsoft.Extensions.Configuration;

namespace MlStack.AppHost.Runtime;

/// <summary>The AppHost's own settings (section MlStack), bound once while the model is built.</summary>
public sealed class StackRuntimeOptions
{
    public const string SectionName = "MlStack";
    public const string RuntimeSetting = SectionName + ":" + nameof(Runtime);

    /// <summary>Unset or empty means auto.</summary>
    public StackRuntimeSetting? Runtime { get; set; }

    /// <summary>Chroma's and Prometheus' data as processes; default .mlstack/state in the repository.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>Where the npm Chroma server is installed (chroma/ below it); default tools/ in the repository.</summary>
    public string? ToolsDirectory { get; set; }

    /// <summary>Binds the section; a Runtime that is not one of the names fails with one line that lists them.</summary>
    public static StackRuntimeOptions Bind(IConfiguration configuration)
    {
        var runtime = configuration[RuntimeSetting];
        // Checked before binding: the binder's own error names a CLR type, and it would accept numbers ("7").
        if (!string.IsNullOrEmpty(runtime) && !Enum.GetNames<StackRuntimeSetting>().Contains(runtime.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            var allowed = string.Join(", ", Enum.GetNames<StackRuntimeSetting>().Select(n => n.ToLowerInvariant()));
            throw new InvalidOperationException($"{RuntimeSetting} is '{runtime}', but it must be one of: {allowed}.");
        }
        return configuration.GetSection(SectionName).Get<StackRuntimeOptions>() ?? new StackRuntimeOptions();
    }
}
