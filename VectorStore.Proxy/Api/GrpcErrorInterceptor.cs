using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlStack.VectorStore.Api;

/// <summary>Turns store failures into precise gRPC statuses; anything else stays INTERNAL without detail.</summary>
public sealed class GrpcErrorInterceptor(ILogger<GrpcErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception ex) when (Map(ex, context) is { } rpc)
        {
            throw rpc;
        }
    }

    private RpcException? Map(Exception exception, ServerCallContext context)
    {
        var mapped = MappedError.From(exception);
        if (mapped is null) return null;
        if (mapped.GrpcStatus is StatusCode.Internal or StatusCode.Unavailable)
            logger.LogWarning(exception, "{Method} failed: {Detail}", context.Method, mapped.Detail);
        return new RpcException(new Status(mapped.GrpcStatus, mapped.Detail));
    }
}
