using System.ComponentModel.DataAnnotations;

namespace MlStack.VectorStore.Auth;

/// <summary>
/// The one API key every caller must present, Vectors:ApiKey: the setting name every service that holds the key uses.
/// Aspire passes it from the "vectors-api-key" secret parameter. Calls present it in the one key scheme of MlStack's
/// services (<see cref="ApiKeyAuthenticationHandler{TOptions}"/>): "authorization: Bearer" or "x-api-key".
/// </summary>
public sealed class ApiKeyOptions : ApiKeySchemeOptions
{
    public const string SectionName = "Vectors";
    public const string Scheme = "ApiKey";

    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";

    public override IEnumerable<ApiKeyCaller> Callers() => [new("api-key", ApiKey)];
}
