using Grpc.Core;

namespace MlStack.Dashboard.Services;

/// <summary>Turns a failed backend call into one sentence a person can act on.</summary>
public static class BackendProblem
{
    public static string Describe(string backend, Exception exception) => exception switch
    {
        BackendCallException call => call.Message,
        RpcException { StatusCode: StatusCode.Unavailable } => $"The {backend} cannot be reached right now.",
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => $"The {backend} did not answer in time.",
        RpcException { StatusCode: StatusCode.Unauthenticated } => $"The {backend} refused the dashboard's API key.",
        RpcException rpc => $"The {backend} answered {rpc.StatusCode}: {rpc.Status.Detail}",
        HttpRequestException http => $"The {backend} cannot be reached right now ({http.Message}).",
        TaskCanceledException or TimeoutException => $"The {backend} did not answer in time.",
        _ => $"The {backend} failed: {exception.Message}",
    };

    /// <summary>A failed gRPC call as the pages see it: the backend's own reason when it refused the request, a sentence otherwise.</summary>
    public static BackendCallException ToException(string backend, RpcException exception) =>
        exception.StatusCode is StatusCode.InvalidArgument or StatusCode.AlreadyExists or StatusCode.NotFound or StatusCode.FailedPrecondition
            or StatusCode.OutOfRange or StatusCode.ResourceExhausted
            ? new BackendCallException(exception.Status.Detail, refused: true, exception)
            : new BackendCallException(Describe(backend, exception), refused: false, exception);
}
