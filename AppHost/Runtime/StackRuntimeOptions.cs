using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

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
        try
        {
            return configuration.GetSection(SectionName).Get<StackRuntimeOptions>() ?? new StackRuntimeOptions();
        }
        catch (InvalidOperationException e) when (e.InnerException is FormatException)
        {
            // Runtime is the section's only value that can fail to convert. The binder's own message names a CLR type;
            // this line is what the AppHost prints before it stops.
            throw new StackCannotStartException(
                $"{RuntimeSetting} is '{configuration[RuntimeSetting]}', but it must be one of: {SettingEnumConverter<StackRuntimeSetting>.AllowedValues}.", e);
        }
    }
}
