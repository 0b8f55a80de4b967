namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// One answered request: ok or the status it failed with ("gRPC Unavailable", "HTTP 503", "timeout"...), the tokens it
/// generated (or, for embeddings, read), and for streams when its tokens arrived.
/// </summary>
public sealed record RequestOutcome(string? Error, long Tokens, TokenClock? Stream = null)
{
    public bool Ok => Error is null;

    public static RequestOutcome Success(long tokens, TokenClock? stream = null) => new(null, tokens, stream);

    public static RequestOutcome Failure(string status) => new(status, 0);
}
