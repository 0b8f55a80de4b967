using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace MlStack.VectorStore.Api;

/// <summary>
/// Answers every HTTP API failure with application/problem+json and the status that fits. The detail says what the
/// caller did wrong and nothing else: framework and database wording, paths and stack traces go to the log, where the
/// trace id the problem carries finds them.
/// </summary>
public sealed class HttpErrorHandler(IProblemDetailsService problemDetails, ILogger<HttpErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var mapped = MappedError.From(exception) ?? FromFramework(exception);
        var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        if (mapped is null)
        {
            logger.LogError(exception, "{Method} {Path} failed (trace {TraceId})", context.Request.Method, context.Request.Path, traceId);
            mapped = new(Grpc.Core.StatusCode.Internal, 500, "Internal error", $"the request failed inside the service; quote trace id {traceId}");
        }
        else if (mapped.HttpStatus >= 500)
        {
            logger.LogWarning(exception, "{Method} {Path} failed (trace {TraceId}): {Detail}", context.Request.Method, context.Request.Path, traceId, mapped.Detail);
        }
        else
        {
            logger.LogDebug(exception, "{Method} {Path} refused (trace {TraceId}): {Detail}", context.Request.Method, context.Request.Path, traceId, mapped.Detail);
        }

        context.Response.StatusCode = mapped.HttpStatus;
        await WriteAsync(problemDetails, context, new ProblemDetails { Status = mapped.HttpStatus, Title = mapped.Title, Detail = mapped.Detail });
        return true;
    }

    /// <summary>Writes the problem, also to a caller whose Accept names no JSON (an ingest asking for NDJSON, say).</summary>
    public static async Task WriteAsync(IProblemDetailsService problemDetails, HttpContext context, ProblemDetails problem)
    {
        if (await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem })) return;
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        await context.Response.WriteAsJsonAsync(problem, options: null, contentType: "application/problem+json");
    }

    /// <summary>A problem for a refusal ASP.NET answered without an exception, in words of our own.</summary>
    public static ProblemDetails ForStatus(int status) => new()
    {
        Status = status,
        Detail = status switch
        {
            StatusCodes.Status404NotFound => "no such route: see the API under /v1/collections",
            StatusCodes.Status405MethodNotAllowed => "this route does not take that method",
            StatusCodes.Status413PayloadTooLarge => "the request body is larger than the service accepts",
            StatusCodes.Status415UnsupportedMediaType => "send the request body as application/json",
            _ => "the request was refused",
        },
    };

    /// <summary>ASP.NET's own refusals (body too large, unreadable JSON, wrong content type), in words of our own.</summary>
    private static MappedError? FromFramework(Exception exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new(Grpc.Core.StatusCode.InvalidArgument, 413, "Content too large", "the request body is larger than the service accepts"),
        BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
            new(Grpc.Core.StatusCode.InvalidArgument, 415, "Unsupported media type", "send the request body as application/json"),
        BadHttpRequestException { InnerException: JsonException json } =>
            new(Grpc.Core.StatusCode.InvalidArgument, 400, "Bad request", json.LineNumber is { } line && json.BytePositionInLine is { } position
                ? $"the request body is not valid JSON for this call (line {line + 1}, position {position + 1})"
                : "the request body is not valid JSON for this call"),
        BadHttpRequestException bad =>
            new(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode, "Bad request", "the request is malformed: check its body, route and query parameters"),
        _ => null,
    };
}
