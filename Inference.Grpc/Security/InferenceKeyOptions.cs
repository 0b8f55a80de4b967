using System.ComponentModel.DataAnnotations;

namespace MlStack.Inference.Security;

/// <summary>
/// The keys of the inference service ("Inference" section). Aspire passes them from the "inference-api-key" and
/// "inference-admin-key" secret parameters; callers (vectors, the dashboard) hold the API key under the same name.
/// Calls present them in the one key scheme of MlStack's services (<see cref="ApiKeyAuthenticationHandler{TOptions}"/>:
/// "authorization: Bearer" or "x-api-key"); the admin key is a caller too, with the admin role on top. Why a call was
/// refused is written by <see cref="CallerRejectionHandler"/>.
/// </summary>
public sealed class InferenceKeyOptions : ApiKeySchemeOptions, IValidatableObject
{
    public const string SectionName = "Inference";
    public const string Scheme = "InferenceKey";
    private const int MinimumKeyLength = 16;

    /// <summary>The policy of repository control (RepositoryModelLoad/Unload): the admin key only.</summary>
    public const string RepositoryControlPolicy = "RepositoryControl";

    /// <summary>The role the admin key grants.</summary>
    public const string AdminRole = "admin";

    /// <summary>What every caller presents on every gRPC method and HTTP API route.</summary>
    public string ApiKey { get; set; } = "";

    /// <summary>
    /// False only where the platform in front authenticates every caller itself and passes no key of ours (SageMaker
    /// and Vertex AI, whose IAM checks callers; the published descriptors set it): then callers need no API key. It
    /// must be said explicitly; without an API key and without it the service does not start.
    /// </summary>
    public bool RequireApiKey { get; set; } = true;

    /// <summary>Repository control (RepositoryModelLoad/Unload). Unset: repository control is switched off.</summary>
    [MinLength(16, ErrorMessage = "Inference:AdminKey must be at least 16 characters long, or unset to switch repository control off.")]
    public string? AdminKey { get; set; }

    public override IEnumerable<ApiKeyCaller> Callers() => [new("admin-key", AdminKey, AdminRole), new("api-key", ApiKey)];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequireApiKey && string.IsNullOrEmpty(ApiKey))
            yield return new ValidationResult(
                "Inference:ApiKey is required: every gRPC method and HTTP API route of the inference service asks for it. " +
                "Behind a platform that authenticates callers itself (SageMaker, Vertex AI) set Inference:RequireApiKey=false instead.",
                [nameof(ApiKey)]);
        else if (!string.IsNullOrEmpty(ApiKey) && ApiKey.Length < MinimumKeyLength)
            yield return new ValidationResult($"Inference:ApiKey must be at least {MinimumKeyLength} characters long.", [nameof(ApiKey)]);
    }
}
