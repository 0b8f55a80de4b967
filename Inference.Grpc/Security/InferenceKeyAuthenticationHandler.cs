using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Security;

/// <summary>
/// Reads the key a call presents ("authorization: Bearer &lt;key&gt;" or "x-api-key", HTTP header or gRPC
/// metadata) and compares it in constant time with the API key and the admin key. The admin key is a caller too,
/// with the admin role on top. Why a call was refused is written by <see cref="CallerRejectionHandler"/>.
/// </summary>
public sealed class InferenceKeyAuthenticationHandler(
    IOptionsMonitor<InferenceKeyOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<InferenceKeyOptions>(options, loggerFactory, encoder)
{
    public const string AdminRole = "admin";

    private static readonly ClaimsPrincipal Caller = Principal("api-key");
    private static readonly ClaimsPrincipal Admin = Principal("admin-key", new Claim(ClaimTypes.Role, AdminRole));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.Presented(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());

        // Both comparisons always run, so the time taken does not tell which key was close.
        var isCaller = ApiKeys.Match(presented, Options.ApiKey);
        var adminKey = Options.AdminKey;
        var isAdmin = !string.IsNullOrEmpty(adminKey) & ApiKeys.Match(presented, adminKey ?? "");
        var principal = isAdmin ? Admin : isCaller ? Caller : null;
        return Task.FromResult(principal is null
            ? AuthenticateResult.Fail("invalid API key")
            : AuthenticateResult.Success(new AuthenticationTicket(principal, InferenceKeyOptions.Scheme)));
    }

    private static ClaimsPrincipal Principal(string name, params Claim[] claims) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), .. claims], InferenceKeyOptions.Scheme));
}
