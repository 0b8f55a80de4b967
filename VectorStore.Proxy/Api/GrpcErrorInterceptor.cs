using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlStack.VectorStore.Api;

/// <summary>
/// Turns store failures into precise gRPC statuses. Anything else is logged with its trace id and answered INTERNAL
/// with only that id, so no exception message, path or database wording reaches the caller.
/// </summary>
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
        // A call the caller cancelled, or an RpcException made on purpose, keeps its own status.
        if (exception is RpcException || (exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)) return null;
        var traceId = Activity.Current?.TraceId.ToString() ?? "";
        var mapped = MappedError.From(exception);
        if (mapped is null)
        {
            logger.LogError(exception, "{Method} failed (trace {TraceId})", context.Method, traceId);
            return new RpcException(new Status(StatusCode.Internal, $"the call failed inside the service; quote trace id {traceId}"));
        }
        if (mapped.GrpcStatus is StatusCode.Internal or StatusCode.Unavailable)
            logger.LogWarning(exception, "{Method} failed (trace {TraceId}): {Detail}", context.Method, traceId, mapped.Detail);
        return new RpcException(new Status(mapped.GrpcStatus, mapped.Detail));
    }
}
