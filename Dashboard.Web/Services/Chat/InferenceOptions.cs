using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>The inference service's API key (Inference:ApiKey). It stays in this process: pages chat through the server.</summary>
public sealed class InferenceOptions
{
    public const string SectionName = "Inference";

    [Required(ErrorMessage = "Inference:ApiKey is required: the inference service refuses calls without its API key.")]
    public string ApiKey { get; set; } = "";
}
