namespace MlStack.VectorStore.Errors;

/// <summary>What kind of refusal a <see cref="StoreException"/> is; the APIs map each to one gRPC and one HTTP status.</summary>
public enum StoreErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    Unavailable,
}

/// <summary>
/// A request the store refuses or cannot serve, with a message fit to show the caller. It lives in a folder of its
/// own because every part of the proxy throws it (embedding, collections, ingest, search) and none of them should
/// depend on another just for its error type.
/// </summary>
public sealed class StoreException(StoreErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StoreErrorKind Kind { get; } = kind;

    public static StoreException Invalid(string message) => new(StoreErrorKind.InvalidArgument, message);
    public static StoreException NotFound(string message) => new(StoreErrorKind.NotFound, message);
    public static StoreException FailedPrecondition(string message, Exception? inner = null) => new(StoreErrorKind.FailedPrecondition, message, inner);
    public static StoreException Unavailable(string message, Exception? inner = null) => new(StoreErrorKind.Unavailable, message, inner);
}
