using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace MlStack.AppHost.Publishing;

/// <summary>Settings every output shares, bound from MlStack:Publish (appsettings, env or --MlStack:Publish:...).</summary>
public sealed class PublishOptions
{
    public const string SectionName = "MlStack:Publish";

    /// <summary>
    /// The tag of MlStack's own images in every output: the build's version by default (Directory.Build.props, or
    /// -p:Version=1.2.3 as the release workflow builds a tag), so what is published names what was built, never "latest".
    /// </summary>
    [Required, RegularExpression(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", ErrorMessage = "ImageTag must be a Docker tag: letters, digits, '_', '.', '-', at most 128.")]
    public string ImageTag { get; set; } = BuildVersion;

    /// <summary>The AppHost's informational version without its "+commit" build metadata, which a Docker tag cannot hold.</summary>
    public static string BuildVersion { get; } =
        (typeof(PublishOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0")
            .Split('+')[0];

    public void Validate() => SettingsValidation.ThrowIfInvalid(this, SectionName);
}
