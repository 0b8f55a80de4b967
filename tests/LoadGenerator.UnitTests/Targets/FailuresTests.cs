using System.Net.Sockets;
using Grpc.Core;
using MlStack.LoadGenerator.Targets;

namespace MlStack.LoadGenerator.UnitTests.Targets;

public sealed class FailuresTests
{
    [Fact]
    public void Failures_are_counted_under_their_protocol_status()
    {
        Assert.Equal("gRPC ResourceExhausted", Failures.Status(new RpcException(new Status(StatusCode.ResourceExhausted, "queue full"))));
        Assert.Equal("gRPC Unavailable", Failures.Status(new RpcException(new Status(StatusCode.Unavailable, "shutting down"))));
        Assert.Equal("HTTP 429", Failures.Status(new HttpStatusException(429, "{}")));
        Assert.Equal(Failures.BadResponse, Failures.Status(new BadResponseException("no [DONE]")));
        Assert.Equal(Failures.ConnectionFailed, Failures.Status(new HttpRequestException("reset")));
    }

    [Fact]
    public void Only_a_refused_connection_means_nothing_is_listening()
    {
        var refused = new SocketException((int)SocketError.ConnectionRefused);
        Assert.True(Failures.IsUnreachable(new HttpRequestException(HttpRequestError.ConnectionError, "refused", refused)));
        Assert.True(Failures.IsUnreachable(new RpcException(new Status(StatusCode.Unavailable, "connect", new HttpRequestException("x", refused)))));
        Assert.Equal(Failures.ConnectionFailed, Failures.Status(new RpcException(new Status(StatusCode.Unavailable, "connect", refused))));
        Assert.False(Failures.IsUnreachable(new RpcException(new Status(StatusCode.Unavailable, "no model ready"))));
        Assert.False(Failures.IsUnreachable(new HttpStatusException(503, "busy")));
    }
}
