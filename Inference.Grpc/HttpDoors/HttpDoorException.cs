using Microsoft.AspNetCore.Http;

namespace MlStack.Inference.HttpDoors;

/// <summary>A request an HTTP door refuses before it reaches a model: the HTTP status and what to fix.</summary>
public sealed class HttpDoorException(int statusCode, string message, string? param = null) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The request field at fault, when there is one (OpenAI's error.param).</summary>
    public string? Param { get; } = param;

    public static HttpDoorException BadRequest(string message, string? param = null) => new(StatusCodes.Status400BadRequest, message, param);
}
