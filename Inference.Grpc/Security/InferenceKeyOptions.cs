using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;

namespace MlStack.Inference.Security;

/// <summary>
/// The keys of the inference service ("Inference" section). Aspire passes them from the "inference-api-key" and
/// "inference-admin-key" secret parameters; callers (vectors, the dashboard) hold the API key under the same name.
/// </summary>
public sealed class InferenceKeyOptions : AuthenticationSchemeOptions
{
    public const string SectionName = "Inference";
    public const string Scheme = "InferenceKey";

    /// <summary>The policy of repository control (RepositoryModelLoad/Unload): the admin key only.</summary>
    public const string RepositoryControlPolicy = "RepositoryControl";

    /// <summary>What every caller presents on every gRPC method and HTTP API route.</summary>
    [Required(ErrorMessage = "Inference:ApiKey is required: every gRPC method and HTTP API route of the inference service asks for it."),
     MinLength(16, ErrorMessage = "Inference:ApiKey must be at least 16 characters long.")]
    public string ApiKey { get; set; } = "";

    /// <summary>Repository control (RepositoryModelLoad/Unload). Unset: repository control is switched off.</summary>
    [MinLength(16, ErrorMessage = "Inference:AdminKey must be at least 16 characters long, or unset to switch repository control off.")]
    public string? AdminKey { get; set; }

    /// <summary>
    /// Probe routes of other platforms' doors that must stay open besides /health, /alive and /metrics (which are
    /// marked anonymous where they are mapped): SageMaker's /ping, and Vertex AI's health route (AIP_HEALTH_ROUTE).
    /// </summary>
    public List<string> OpenProbePaths { get; set; } = ["/ping"];
}
