namespace MlStack.Inference.Errors;

/// <summary>
/// Why the engine refused or could not serve a request. The names are the canonical error codes (google.rpc.Code)
/// because callers and the failure metrics' "code" label already speak them; which gRPC status, HTTP status and OpenAI
/// error each becomes is decided in one table on the front ends' side (ApiErrors/ErrorMapping.cs), not here.
/// </summary>
public enum InferenceErrorReason
{
    /// <summary>The request itself is wrong: a bad tensor, parameter, message or text.</summary>
    InvalidArgument,
    /// <summary>The request is fine but the model cannot serve it as configured (a chat template it cannot run).</summary>
    FailedPrecondition,
    /// <summary>No such model, version or repository.</summary>
    NotFound,
    /// <summary>A full queue or the memory held for requests in flight: come back later.</summary>
    ResourceExhausted,
    /// <summary>The model is loading, unloading or failed to load: come back later.</summary>
    Unavailable,
    DeadlineExceeded,
    Cancelled,
    /// <summary>The server failed; the message carries only the trace id under which the log has the details.</summary>
    Internal,
}

/// <summary>
/// A request the engine refuses or cannot serve, with a message fit to show the caller. Every engine folder throws it
/// (repository, batching, tensors, embeddings, generation), and none of them knows the protocol the caller came by.
/// </summary>
public sealed class InferenceException(InferenceErrorReason reason, string message, Exception? inner = null) : Exception(message, inner)
{
    public InferenceErrorReason Reason { get; } = reason;

    public static InferenceException Invalid(string message) => new(InferenceErrorReason.InvalidArgument, message);
    public static InferenceException NotFound(string message) => new(InferenceErrorReason.NotFound, message);
    public static InferenceException Unavailable(string message) => new(InferenceErrorReason.Unavailable, message);
    public static InferenceException Exhausted(string message) => new(InferenceErrorReason.ResourceExhausted, message);
}
