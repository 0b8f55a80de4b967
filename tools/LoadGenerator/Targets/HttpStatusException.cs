namespace MlStack.LoadGenerator.Targets;

/// <summary>A non-2xx answer from an HTTP door.</summary>
public sealed class HttpStatusException(int statusCode, string body) : Exception($"HTTP {statusCode}: {body}")
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>A 2xx answer that is not what the contract promises (a stream without [DONE], a missing field).</summary>
public sealed class BadResponseException(string message) : Exception(message);
