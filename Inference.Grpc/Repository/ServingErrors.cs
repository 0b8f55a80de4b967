using Grpc.Core;
using Microsoft.ML.OnnxRuntime;

namespace MlStack.Inference.Repository;

/// <summary>How a failed request to a repository model (ModelInfer or Embed, whatever the door) is answered.</summary>
public static class ServingErrors
{
    /// <summary>Maps any failure to a precise status; nothing escapes as an unhandled exception.</summary>
    /// <param name="deadline">When the caller stops waiting (gRPC's deadline; DateTime.MaxValue for an HTTP door).</param>
    public static RpcException ToRpc(Exception error, string model, DateTime deadline, ILogger logger) => error switch
    {
        RpcException rpc => rpc,
        OperationCanceledException when deadline <= DateTime.UtcNow =>
            new RpcException(new Status(StatusCode.DeadlineExceeded, "The deadline passed before the request ran.")),
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, "The request was cancelled before it ran.")),
        OnnxRuntimeException ort => new RpcException(new Status(StatusCode.InvalidArgument,
            $"Model '{model}' cannot run on this input: {ort.Message.Split('\n')[0]}")),
        _ => LogInternal(error, model, logger),
    };

    private static RpcException LogInternal(Exception error, string model, ILogger logger)
    {
        logger.LogError(error, "Inference on {Model} failed", model);
        return new RpcException(new Status(StatusCode.Internal, $"Inference on '{model}' failed: {error.Message}"));
    }
}
