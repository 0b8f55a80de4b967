using Grpc.Core;
using MlStack.VectorStore.Chroma;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.Api;

/// <summary>One table from store failures to gRPC status and HTTP status, so both APIs answer alike.</summary>
public sealed record MappedError(StatusCode GrpcStatus, int HttpStatus, string Title, string Detail)
{
    public static MappedError? From(Exception exception) => exception switch
    {
        StoreException { Kind: StoreErrorKind.InvalidArgument } e => new(StatusCode.InvalidArgument, 400, "Invalid argument", e.Message),
        StoreException { Kind: StoreErrorKind.NotFound } e => new(StatusCode.NotFound, 404, "Not found", e.Message),
        StoreException { Kind: StoreErrorKind.AlreadyExists } e => new(StatusCode.AlreadyExists, 409, "Already exists", e.Message),
        StoreException { Kind: StoreErrorKind.FailedPrecondition } e => new(StatusCode.FailedPrecondition, 409, "Failed precondition", e.Message),
        StoreException { Kind: StoreErrorKind.Unavailable } e => new(StatusCode.Unavailable, 503, "Unavailable", e.Message),
        // A by-id call after the collection was deleted underneath (by another request or replica).
        ChromaException { StatusCode: System.Net.HttpStatusCode.NotFound } => new(StatusCode.NotFound, 404, "Not found",
            "the collection no longer exists"),
        // Chroma's own wording stays in the logs: callers learn only that the database did not serve the request.
        ChromaException { IsUnavailable: true } => new(StatusCode.Unavailable, 503, "Unavailable",
            "the vector database is unavailable; nothing half-written is visible, retry the request"),
        ChromaException => new(StatusCode.Internal, 500, "Vector database error", "the vector database refused the request"),
        _ => null,
    };
}
