using Grpc.Core;

namespace MlStack.Dashboard.Services;

/// <summary>Turns a failed backend call into one sentence a person can act on.</summary>
public static class BackendProblem
{
    public static string Describe(string backend, Exception exception) => exception switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } => $"The {backend} cannot be reached right now.",
        RpcException { StatusCode: StatusCode.DeadlineExceeded } => $"The {backend} did not answer in time.",
        RpcException { StatusCode: StatusCode.Unauthenticated } => $"The {backend} refused the dashboard's API key.",
        RpcException rpc => $"The {backend} answered {rpc.StatusCode}: {rpc.Status.Detail}",
        HttpRequestException http => $"The {backend} cannot be reached right now ({http.Message}).",
        TaskCanceledException or TimeoutException => $"The {backend} did not answer in time.",
        _ => $"The {backend} failed: {exception.Message}",
    };
}
