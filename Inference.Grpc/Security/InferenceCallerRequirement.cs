using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Security;

/// <summary>
/// The default and fallback policy's one requirement: a caller that presented a valid key, unless the service runs
/// behind a platform that authenticates callers itself (<see cref="InferenceKeyOptions.RequireApiKey"/> false).
/// Probe routes are open because they say AllowAnonymous where they are mapped.
/// </summary>
public sealed class InferenceCallerRequirement : IAuthorizationRequirement;

public sealed class InferenceCallerHandler(IOptionsMonitor<InferenceKeyOptions> options) : AuthorizationHandler<InferenceCallerRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, InferenceCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true || !options.Get(InferenceKeyOptions.Scheme).RequireApiKey)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
