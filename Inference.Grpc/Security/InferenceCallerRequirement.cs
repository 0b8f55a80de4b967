using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Security;

/// <summary>
/// The default and fallback policy's one requirement: a caller that presented a valid key, or a request for one of
/// the probe routes other doors map (<see cref="InferenceKeyOptions.OpenProbePaths"/>), which orchestrators call
/// without a key.
/// </summary>
public sealed class InferenceCallerRequirement : IAuthorizationRequirement;

public sealed class InferenceCallerHandler(IOptionsMonitor<InferenceKeyOptions> options) : AuthorizationHandler<InferenceCallerRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, InferenceCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true || IsProbe(context.Resource as HttpContext))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }

    private bool IsProbe(HttpContext? http)
    {
        if (http is null || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))) return false;
        var path = http.Request.Path.Value ?? "";
        return options.Get(InferenceKeyOptions.Scheme).OpenProbePaths.Any(p => string.Equals(p, path, StringComparison.OrdinalIgnoreCase));
    }
}
