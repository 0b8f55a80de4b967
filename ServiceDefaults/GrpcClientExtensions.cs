using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

public static class GrpcClientExtensions
{
    /// <summary>
    /// Registers a gRPC client for a service found by discovery (e.g. "http://_grpc.inference").
    /// Resilience comes from gRPC's own retry policy rather than the HTTP handler, because the HTTP
    /// standard handler's timeouts would cut long server streams.
    /// </summary>
    public static IHttpClientBuilder AddServiceGrpcClient<TClient>(this IServiceCollection services, Uri address)
        where TClient : class
    {
        return services
            .AddGrpcClient<TClient>(options =>
            {
                options.Address = address;
                options.ChannelOptionsActions.Add(channel =>
                {
                    channel.MaxReceiveMessageSize = 64 * 1024 * 1024;
                    channel.ServiceConfig = new ServiceConfig { MethodConfigs = { TransientRetryPolicy() } };
                });
            })
            .RemoveAllResilienceHandlers()
            .AddServiceDiscovery();
    }

    /// <summary>
    /// Sends an API key ("authorization: Bearer &lt;key&gt;") on every call of the client, read from the caller's
    /// settings when the call is made. The key stays in this process: browsers never see it.
    /// </summary>
    public static IHttpClientBuilder AddApiKey(this IHttpClientBuilder client, Func<IServiceProvider, string> key) =>
        client
            .AddCallCredentials((_, metadata, services) =>
            {
                metadata.Add("authorization", ApiKeys.BearerPrefix + key(services));
                return Task.CompletedTask;
            })
            // Inside the cluster the channel is plain HTTP/2; the key still travels only between the two services.
            .ConfigureChannel(channel => channel.UnsafeUseInsecureChannelCallCredentials = true);

    private static MethodConfig TransientRetryPolicy() => new()
    {
        Names = { MethodName.Default },
        RetryPolicy = new RetryPolicy
        {
            MaxAttempts = 4,
            InitialBackoff = TimeSpan.FromMilliseconds(200),
            MaxBackoff = TimeSpan.FromSeconds(2),
            BackoffMultiplier = 2,
            RetryableStatusCodes = { StatusCode.Unavailable },
        },
    };
}
