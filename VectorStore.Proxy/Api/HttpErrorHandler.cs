using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace MlStack.VectorStore.Api;

/// <summary>Answers HTTP API failures with application/problem+json and the status that fits.</summary>
public sealed class HttpErrorHandler(IProblemDetailsService problemDetails, ILogger<HttpErrorHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        var mapped = MappedError.From(exception);
        if (mapped is null && exception is BadHttpRequestException bad)
            mapped = new(Grpc.Core.StatusCode.InvalidArgument, bad.StatusCode, "Bad request", bad.Message);
        if (mapped is null) return false;
        if (mapped.HttpStatus >= 500) logger.LogWarning(exception, "{Path} failed: {Detail}", context.Request.Path, mapped.Detail);

        context.Response.StatusCode = mapped.HttpStatus;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = mapped.HttpStatus, Title = mapped.Title, Detail = mapped.Detail },
        });
    }
}
