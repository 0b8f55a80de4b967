using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Embedding;

/// <summary>The inference service's API key (Inference:ApiKey), sent on every Embed call.</summary>
public sealed class InferenceKeyOptions
{
    public const string SectionName = "Inference";

    [Required(ErrorMessage = "Inference:ApiKey is required: the inference service refuses Embed calls without its API key.")]
    public string ApiKey { get; set; } = "";
}
