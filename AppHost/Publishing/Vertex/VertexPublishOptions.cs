using System.ComponentModel.DataAnnotations;

namespace MlStack.AppHost.Publishing.Vertex;

/// <summary>Vertex AI choices, bound from MlStack:Publish:Vertex (appsettings, env or --MlStack:Publish:Vertex:...).</summary>
public sealed class VertexPublishOptions
{
    public const string SectionName = "MlStack:Publish:Vertex";

    /// <summary>The machine of each replica; n1 machines take up to four T4s.</summary>
    [Required, RegularExpression("^[a-z0-9]+(-[a-z0-9]+)+$")]
    public string MachineType { get; set; } = "n1-standard-4";

    /// <summary>The accelerator per GPU the resource asks for (WithGpu); unused without GPUs.</summary>
    [Required, RegularExpression("^[A-Z0-9_]+$")]
    public string AcceleratorType { get; set; } = "NVIDIA_TESLA_T4";

    /// <summary>A gs:// folder of model files; Vertex AI copies it and passes its location as AIP_STORAGE_URI. Empty: the models in the image.</summary>
    [RegularExpression(@"^gs://[a-z0-9._\-]+(/.*)?$", ErrorMessage = "ArtifactUri must be a gs:// URL.")]
    public string? ArtifactUri { get; set; }

    public void Validate() => SettingsValidation.ThrowIfInvalid(this, SectionName);
}
