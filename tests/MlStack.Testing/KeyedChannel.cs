using Grpc.Core;
using Grpc.Net.Client;

namespace MlStack.Testing;

/// <summary>gRPC channels to a service that asks for an API key, as its callers open them.</summary>
public static class KeyedChannel
{
    /// <summary>Every call sends "authorization: Bearer &lt;key&gt;" (no header when key is null); messages of any size.</summary>
    public static GrpcChannel Open(Uri address, string? key)
    {
        var options = new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = 64 * 1024 * 1024 };
        if (key is not null)
        {
            options.Credentials = ChannelCredentials.Create(ChannelCredentials.Insecure, CallCredentials.FromInterceptor((_, metadata) =>
            {
                metadata.Add("authorization", "Bearer " + key);
                return Task.CompletedTask;
            }));
            // Loopback only: plain HTTP/2, as inside the cluster.
            options.UnsafeUseInsecureChannelCallCredentials = true;
        }
        return GrpcChannel.ForAddress(address, options);
    }
}
