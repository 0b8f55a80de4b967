using Grpc.Core;
using Microsoft.AspNetCore.Http;
using MlStack.Inference.Errors;

namespace MlStack.Inference.ApiErrors;

/// <summary>
/// What one engine refusal looks like on every front end: the gRPC status, the HTTP status of the doors' problem or
/// error body, and the OpenAI error object's type, code and param. One row per reason, so a gRPC client and an HTTP
/// client see the same refusal.
/// </summary>
public sealed record MappedError(StatusCode GrpcStatus, int HttpStatus, string Type, string Code, string? Param = null)
{
    public static MappedError From(InferenceErrorReason reason) => reason switch
    {
        InferenceErrorReason.InvalidArgument => new(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_request"),
        InferenceErrorReason.FailedPrecondition => new(StatusCode.FailedPrecondition, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_request"),
        // Every NotFound the engine says is about the model the request named.
        InferenceErrorReason.NotFound => new(StatusCode.NotFound, StatusCodes.Status404NotFound, "invalid_request_error", "model_not_found", "model"),
        InferenceErrorReason.ResourceExhausted => new(StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests, "rate_limit_error", "queue_full"),
        InferenceErrorReason.Unavailable => new(StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable, "service_unavailable_error", "model_unavailable"),
        InferenceErrorReason.DeadlineExceeded => new(StatusCode.DeadlineExceeded, StatusCodes.Status504GatewayTimeout, "timeout_error", "timeout"),
        InferenceErrorReason.Cancelled => new(StatusCode.Cancelled, StatusCodes.Status499ClientClosedRequest, "invalid_request_error", "invalid_request"),
        _ => new(StatusCode.Internal, StatusCodes.Status500InternalServerError, "server_error", "internal_error"),
    };
}
