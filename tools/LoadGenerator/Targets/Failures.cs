using System.Net.Sockets;
using System.Text.Json;
using Grpc.Core;

namespace MlStack.LoadGenerator.Targets;

/// <summary>The status a failed request is counted under, and whether the failure means nothing is listening.</summary>
public static class Failures
{
    public const string Timeout = "timeout";
    public const string ConnectionFailed = "connection failed";
    public const string BadResponse = "bad response";
    public const string CancelledAtEnd = "cancelled (run ended)";

    public static string Status(Exception exception) => exception switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } rpc when IsConnectFailure(rpc.Status.DebugException) => ConnectionFailed,
        RpcException rpc => $"gRPC {rpc.StatusCode}",
        HttpStatusException http => $"HTTP {http.StatusCode}",
        HttpRequestException => ConnectionFailed,
        BadResponseException or JsonException or InvalidOperationException => BadResponse,
        OperationCanceledException => Timeout,
        IOException => ConnectionFailed,
        _ => exception.GetType().Name,
    };

    /// <summary>Nothing answered at the address at all (refused, unknown host): the run cannot measure anything.</summary>
    public static bool IsUnreachable(Exception exception) => exception switch
    {
        RpcException { StatusCode: StatusCode.Unavailable } rpc => IsConnectFailure(rpc.Status.DebugException),
        HttpRequestException http => IsConnectFailure(http),
        _ => false,
    };

    private static bool IsConnectFailure(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException) return true;
            if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }) return true;
        }
        return false;
    }
}
