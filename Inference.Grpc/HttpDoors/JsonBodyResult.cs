using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// A JSON answer written straight to the response with Utf8JsonWriter: the doors' shapes (OpenAI's, SageMaker's,
/// Vertex AI's) are fixed by others, with nulls and field names that must be exactly so.
/// </summary>
public sealed class JsonBodyResult(Action<IBufferWriter<byte>> write, int statusCode = StatusCodes.Status200OK) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json";
        write(response.BodyWriter);
        await response.BodyWriter.FlushAsync(httpContext.RequestAborted);
    }
}
