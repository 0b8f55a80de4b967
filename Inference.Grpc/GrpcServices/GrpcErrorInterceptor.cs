using Grpc.Core;
using Grpc.Core.Interceptors;
using MlStack.Inference.ApiErrors;
using MlStack.Inference.Errors;

namespace MlStack.Inference.GrpcServices;

/// <summary>
/// Turns the engine's refusals into the gRPC status of <see cref="MappedError"/>, with the engine's message as the
/// detail, whether they come before the first message or in the middle of a stream. Other exceptions keep gRPC's own
/// handling.
/// </summary>
public sealed class GrpcErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (InferenceException error)
        {
            throw ToRpc(error);
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
        catch (InferenceException error)
        {
            throw ToRpc(error);
        }
    }

    public static RpcException ToRpc(InferenceException error) =>
        new(new Status(MappedError.From(error.Reason).GrpcStatus, error.Message));
}
