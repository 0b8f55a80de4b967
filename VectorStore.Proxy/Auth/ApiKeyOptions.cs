using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authentication;

namespace MlStack.VectorStore.Auth;

/// <summary>
/// The one API key every caller must present, Vectors:ApiKey: the setting name every service that holds the key uses.
/// Aspire passes it from the "vectors-api-key" secret parameter.
/// </summary>
public sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    public const string SectionName = "Vectors";
    public const string Scheme = "ApiKey";

    [Required, MinLength(16)]
    public string ApiKey { get; set; } = "";
}
