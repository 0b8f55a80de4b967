using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using MlStack.Inference.Security;

namespace Microsoft.Extensions.Hosting;

public static class AuthenticationExtensions
{
    /// <summary>
    /// Every gRPC method and HTTP route needs the inference API key ("Inference" section): the key scheme, and one
    /// policy as both the default and the fallback, so routes mapped later by any feature are covered without a
    /// word from them. Endpoints that must stay open say AllowAnonymous (health, liveness, /metrics, grpc.health, and the
    /// platforms' probe routes: SageMaker's /ping, Vertex AI's health route).
    /// </summary>
    public static WebApplicationBuilder AddInferenceAuthentication(this WebApplicationBuilder builder)
    {
        builder.AddApiKeyAuthentication<InferenceKeyOptions>(InferenceKeyOptions.Scheme, InferenceKeyOptions.SectionName);

        var caller = new AuthorizationPolicyBuilder(InferenceKeyOptions.Scheme).AddRequirements(new InferenceCallerRequirement()).Build();
        builder.Services.AddAuthorizationBuilder()
            .SetDefaultPolicy(caller)
            .SetFallbackPolicy(caller)
            .AddPolicy(InferenceKeyOptions.RepositoryControlPolicy, policy => policy
                .AddAuthenticationSchemes(InferenceKeyOptions.Scheme)
                .RequireRole(InferenceKeyOptions.AdminRole));
        builder.Services.AddSingleton<IAuthorizationHandler, InferenceCallerHandler>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, CallerRejectionHandler>();
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>
    /// Authentication and authorization in the pipeline. A service started with Inference:RequireApiKey=false says so
    /// at start: it lets every caller in and relies on the platform in front (SageMaker, Vertex AI) to authenticate.
    /// </summary>
    public static WebApplication UseInferenceAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        var keys = app.Services.GetRequiredService<IOptionsMonitor<InferenceKeyOptions>>().Get(InferenceKeyOptions.Scheme);
        if (!keys.RequireApiKey)
            app.Logger.LogWarning("Inference:RequireApiKey is false: callers need no API key. Only for a platform that authenticates callers itself (SageMaker, Vertex AI IAM).");
        return app;
    }
}
