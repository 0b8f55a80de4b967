using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using MlStack.Inference.Security;

namespace Microsoft.Extensions.Hosting;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Every gRPC method and HTTP route needs the inference API key ("Inference" section): the key scheme, and one
    /// policy as both the default and the fallback, so routes mapped later by any feature are covered without a
    /// word from them. Endpoints that must stay open say AllowAnonymous (health, liveness, /metrics, grpc.health).
    /// </summary>
    public static WebApplicationBuilder AddInferenceAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(InferenceKeyOptions.Scheme)
            .AddScheme<InferenceKeyOptions, InferenceKeyAuthenticationHandler>(InferenceKeyOptions.Scheme, _ => { });
        builder.AddValidatedOptions<InferenceKeyOptions>(InferenceKeyOptions.SectionName, name: InferenceKeyOptions.Scheme)
            .PostConfigure(options =>
            {
                // Vertex AI tells a custom container its health route through this variable.
                if (Environment.GetEnvironmentVariable("AIP_HEALTH_ROUTE") is { Length: > 0 } vertexHealth)
                    options.OpenProbePaths.Add(vertexHealth);
            });

        var caller = new AuthorizationPolicyBuilder(InferenceKeyOptions.Scheme).AddRequirements(new InferenceCallerRequirement()).Build();
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(caller)
            .SetFallbackPolicy(caller)
            .AddPolicy(InferenceKeyOptions.RepositoryControlPolicy, policy => policy
                .AddAuthenticationSchemes(InferenceKeyOptions.Scheme)
                .RequireRole(InferenceKeyAuthenticationHandler.AdminRole));
        builder.Services.AddSingleton<IAuthorizationHandler, InferenceCallerHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, CallerRejectionHandler>();
        builder.Services.AddProblemDetails();
        return builder;
    }
}
