using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace MlStack.VectorStore.Auth;

/// <summary>
/// Accepts "Authorization: Bearer &lt;key&gt;" (an HTTP header, or gRPC metadata, which travels as one).
/// The comparison is <see cref="ApiKeys.Match"/> (constant time, length hidden). Failures say nothing
/// about why: the answer is a bare 401 (gRPC clients see UNAUTHENTICATED).
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, loggerFactory, encoder)
{
    private static readonly ClaimsPrincipal Caller = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], ApiKeyOptions.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.Bearer(Request) is not { } presented)
            return Task.FromResult(AuthenticateResult.NoResult());

        return Task.FromResult(ApiKeys.Match(presented, Options.ApiKey)
            ? AuthenticateResult.Success(new AuthenticationTicket(Caller, ApiKeyOptions.Scheme))
            : AuthenticateResult.Fail("invalid API key"));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}
