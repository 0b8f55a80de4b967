using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace MlStack.Inference.HttpDoors;

/// <summary>
/// How any failure is answered on an HTTP door, whatever its body format: the status, an OpenAI-style error type and
/// code, and whether to send Retry-After. The gRPC statuses of the shared entry points map one to one, so an HTTP
/// client sees the same refusal a gRPC client does.
/// </summary>
public sealed record HttpDoorError(int StatusCode, string Message, string Type, string Code, string? Param = null)
{
    /// <summary>Full queue, admission limit or models not loaded: the client should come back.</summary>
    public bool RetryLater => StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable;

    public static HttpDoorError From(Exception error) => error switch
    {
        HttpDoorException door => FromStatus(door.StatusCode, door.Message, door.Param),
        RpcException rpc => FromRpc(rpc),
        MlStack.Inference.Generation.ChatTemplates.ChatTemplateException template => FromRpc(Repository.ServingErrors.ToRpc(template, "", DateTime.MaxValue, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)),
        JsonException json => FromStatus(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {json.Message}"),
        BadHttpRequestException bad => FromStatus(bad.StatusCode, bad.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? "The request body is larger than the server accepts." : bad.Message),
        _ => FromStatus(StatusCodes.Status500InternalServerError, $"The request failed: {error.Message}"),
    };

    private static HttpDoorError FromRpc(RpcException rpc) => rpc.StatusCode switch
    {
        Grpc.Core.StatusCode.InvalidArgument or Grpc.Core.StatusCode.OutOfRange or Grpc.Core.StatusCode.FailedPrecondition =>
            FromStatus(StatusCodes.Status400BadRequest, rpc.Status.Detail),
        Grpc.Core.StatusCode.NotFound => new(StatusCodes.Status404NotFound, rpc.Status.Detail, "invalid_request_error", "model_not_found", "model"),
        Grpc.Core.StatusCode.ResourceExhausted => FromStatus(StatusCodes.Status429TooManyRequests, rpc.Status.Detail),
        Grpc.Core.StatusCode.Unavailable => FromStatus(StatusCodes.Status503ServiceUnavailable, rpc.Status.Detail),
        Grpc.Core.StatusCode.DeadlineExceeded => FromStatus(StatusCodes.Status504GatewayTimeout, rpc.Status.Detail),
        Grpc.Core.StatusCode.Cancelled => FromStatus(StatusCodes.Status499ClientClosedRequest, rpc.Status.Detail),
        Grpc.Core.StatusCode.Unimplemented => FromStatus(StatusCodes.Status501NotImplemented, rpc.Status.Detail),
        _ => FromStatus(StatusCodes.Status500InternalServerError, rpc.Status.Detail),
    };

    private static HttpDoorError FromStatus(int status, string message, string? param = null) => status switch
    {
        StatusCodes.Status400BadRequest => new(status, message, "invalid_request_error", "invalid_request", param),
        StatusCodes.Status404NotFound => new(status, message, "invalid_request_error", "not_found", param),
        StatusCodes.Status406NotAcceptable => new(status, message, "invalid_request_error", "not_acceptable", param),
        StatusCodes.Status413PayloadTooLarge => new(status, message, "invalid_request_error", "request_too_large", param),
        StatusCodes.Status415UnsupportedMediaType => new(status, message, "invalid_request_error", "unsupported_media_type", param),
        StatusCodes.Status429TooManyRequests => new(status, message, "rate_limit_error", "queue_full", param),
        StatusCodes.Status503ServiceUnavailable => new(status, message, "service_unavailable_error", "model_unavailable", param),
        StatusCodes.Status504GatewayTimeout => new(status, message, "timeout_error", "timeout", param),
        _ when status >= 500 => new(status, message, "server_error", "internal_error", param),
        _ => new(status, message, "invalid_request_error", "invalid_request", param),
    };
}
