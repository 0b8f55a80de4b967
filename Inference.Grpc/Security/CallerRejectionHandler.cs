using Grpc.Core;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Security;

/// <summary>
/// Answers a refused call in its own protocol, saying what to send and nothing about the keys: gRPC calls get a
/// trailers-only response (UNAUTHENTICATED or PERMISSION_DENIED with a message, as every gRPC client reads it), HTTP
/// routes a 401 or 403 problem.
/// </summary>
public sealed class CallerRejectionHandler(IOptionsMonitor<InferenceKeyOptions> options, IProblemDetailsService problems)
    : IAuthorizationMiddlewareResultHandler
{
    public const string MissingKey =
        "This call needs the inference API key: send 'authorization: Bearer <key>' or 'x-api-key: <key>'.";
    public const string AdminSwitchedOff =
        "Repository control is switched off on this server: it has no admin key (Inference:AdminKey).";
    public const string AdminKeyNeeded = "Repository control needs the admin key (Inference:AdminKey), not the API key.";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult result)
    {
        if (result.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, result);
            return;
        }
        var (code, status, message) = result.Forbidden
            ? (StatusCode.PermissionDenied, StatusCodes.Status403Forbidden,
                string.IsNullOrEmpty(options.Get(InferenceKeyOptions.Scheme).AdminKey) ? AdminSwitchedOff : AdminKeyNeeded)
            : (StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized, MissingKey);

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // Trailers-only: HTTP 200 with grpc-status in the headers and no body (the gRPC over HTTP/2 spec).
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/grpc";
            context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = message;
            return;
        }
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = status == StatusCodes.Status401Unauthorized ? "Unauthorized" : "Forbidden", Detail = message },
        });
    }
}
