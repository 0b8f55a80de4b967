using System.Net;

namespace MlStack.VectorStore.Chroma;

/// <summary>Chroma answered with an error, or could not be reached after every retry (StatusCode null).</summary>
public sealed class ChromaException(string operation, HttpStatusCode? statusCode, string message, Exception? inner = null)
    : Exception($"Chroma {operation} failed: {message}", inner)
{
    public string Operation { get; } = operation;
    public HttpStatusCode? StatusCode { get; } = statusCode;
    public string ChromaMessage { get; } = message;
    public bool IsUnavailable => StatusCode is null || (int)StatusCode >= 500 || StatusCode == HttpStatusCode.TooManyRequests;
}
