using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>One key a service takes, and who a caller presenting it is: a name for the logs and the roles it grants.</summary>
public sealed record ApiKeyCaller(string Name, string? Key, params string[] Roles);

/// <summary>The options of a service's API-key scheme: its keys, read from its own validated section.</summary>
public abstract class ApiKeySchemeOptions : AuthenticationSchemeOptions
{
    /// <summary>The keys in order of precedence (the first that matches names the caller); an empty key is switched off.</summary>
    public abstract IEnumerable<ApiKeyCaller> Callers();
}

/// <summary>
/// The one API-key scheme of MlStack's services: the key a call presents as "authorization: Bearer &lt;key&gt;" or
/// "x-api-key: &lt;key&gt;" (HTTP header or gRPC metadata) is compared in constant time with every key the service
/// takes. A refusal says nothing about why: a bare 401 with WWW-Authenticate: Bearer (gRPC clients see
/// UNAUTHENTICATED), unless the service writes its refusals itself.
/// </summary>
public sealed class ApiKeyAuthenticationHandler<TOptions>(IOptionsMonitor<TOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder)
    : AuthenticationHandler<TOptions>(options, loggerFactory, encoder) where TOptions : ApiKeySchemeOptions, new()
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ApiKeys.Presented(Request) is not { } presented) return Task.FromResult(AuthenticateResult.NoResult());

        ApiKeyCaller? caller = null;
        foreach (var candidate in Options.Callers())
        {
            // Every key is compared, so the time taken does not tell which one was close.
            var matches = !string.IsNullOrEmpty(candidate.Key) & ApiKeys.Match(presented, candidate.Key ?? "");
            if (matches && caller is null) caller = candidate;
        }
        if (caller is null) return Task.FromResult(AuthenticateResult.Fail("invalid API key"));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, caller.Name), .. caller.Roles.Select(role => new Claim(ClaimTypes.Role, role))], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }
}

public static class ApiKeyAuthenticationExtensions
{
    /// <summary>
    /// The API-key scheme as the default authentication scheme, its keys from <paramref name="section"/> (validated at
    /// start, see <see cref="ValidatedOptionsExtensions"/>).
    /// </summary>
    public static AuthenticationBuilder AddApiKeyAuthentication<TOptions>(this IHostApplicationBuilder builder, string scheme, string section)
        where TOptions : ApiKeySchemeOptions, new()
    {
        builder.AddValidatedOptions<TOptions>(section, name: scheme);
        return builder.Services.AddAuthentication(scheme).AddScheme<TOptions, ApiKeyAuthenticationHandler<TOptions>>(scheme, _ => { });
    }
}
