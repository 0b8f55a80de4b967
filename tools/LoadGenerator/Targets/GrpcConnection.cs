using Grpc.Core;
using Grpc.Net.Client;

namespace MlStack.LoadGenerator.Targets;

/// <summary>One HTTP/2 channel to a gRPC service, and the API key every call carries as `authorization: Bearer` metadata.</summary>
public sealed class GrpcConnection : IDisposable
{
    private readonly Metadata? _headers;

    public GrpcConnection(Uri address, string? apiKey)
    {
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            // One HTTP/2 connection caps concurrent streams (100 by default); a load generator must not be the bottleneck.
            HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan },
            MaxReceiveMessageSize = 64 * 1024 * 1024,
        });
        _headers = apiKey is null ? null : new Metadata { { "authorization", $"Bearer {apiKey}" } };
    }

    public GrpcChannel Channel { get; }

    public CallOptions Call(CancellationToken cancellationToken) => new(_headers, cancellationToken: cancellationToken);

    public void Dispose() => Channel.Dispose();
}
