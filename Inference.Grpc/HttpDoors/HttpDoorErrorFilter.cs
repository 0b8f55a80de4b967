using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// Every HTTP door answers failures the same way, each in its own body format: a refusal before the response starts
/// becomes the status of <see cref="HttpDoorError"/> (with Retry-After when the client should come back), logged only
/// when it is the server's fault. The server stays up whatever the request was.
/// </summary>
public static class HttpDoorErrorFilter
{
    public static RouteGroupBuilder WithDoorErrors(this RouteGroupBuilder group, Func<HttpDoorError, IResult> format)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            try
            {
                return await next(context);
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                return Results.Empty; // the client went away; its sequence has left its batch
            }
            catch (Exception exception) when (!http.Response.HasStarted)
            {
                var error = HttpDoorError.From(exception);
                if (error.StatusCode >= StatusCodes.Status500InternalServerError && !error.RetryLater)
                {
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpDoorErrorFilter))
                        .LogError(exception, "{Method} {Path} failed", http.Request.Method, http.Request.Path);
                }
                if (error.RetryLater)
                {
                    http.Response.Headers.RetryAfter = http.RequestServices.GetRequiredService<IOptions<HttpDoorOptions>>().Value
                        .RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return format(error);
            }
        });
        return group;
    }

    /// <summary>RFC 9457 problem details: the SageMaker and Vertex AI doors' error body.</summary>
    public static IResult Problem(HttpDoorError error) => Results.Problem(
        detail: error.Message,
        statusCode: error.StatusCode,
        extensions: new Dictionary<string, object?> { ["code"] = error.Code });
}
