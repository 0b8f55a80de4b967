namespace MlStack.VectorStore.Store;

public enum StoreErrorKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    FailedPrecondition,
    Unavailable,
}

/// <summary>A request the store refuses or cannot serve, with a message fit to show the caller.</summary>
public sealed class StoreException(StoreErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StoreErrorKind Kind { get; } = kind;

    public static StoreException Invalid(string message) => new(StoreErrorKind.InvalidArgument, message);
    public static StoreException NotFound(string message) => new(StoreErrorKind.NotFound, message);
}
