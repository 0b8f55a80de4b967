using System.Diagnostics;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.Repository;

/// <summary>
/// How failures are told to callers: what they did wrong and nothing else. Internal exception messages and file
/// paths go to the log with the trace id; strings a caller sent are repeated only as far as <see cref="Shorten"/>.
/// </summary>
public static class ServingErrors
{
    private const int MaxEcho = 64;
    private const int MaxReason = 300;

    /// <summary>Maps any failure to a precise status; nothing escapes as an unhandled exception.</summary>
    /// <param name="deadline">When the caller stops waiting (gRPC's deadline; DateTime.MaxValue for an HTTP door).</param>
    public static RpcException ToRpc(Exception error, string model, DateTime deadline, ILogger logger) => error switch
    {
        RpcException rpc => rpc,
        // Chat templates (engine code, no gRPC types): no template is the model's state, anything else is this conversation's.
        Embeddings.UnknownPromptException prompt => new RpcException(new Status(StatusCode.InvalidArgument, prompt.Message)),
        MissingChatTemplateException missing => new RpcException(new Status(StatusCode.FailedPrecondition, missing.Message)),
        ChatTemplateRaisedException raised => new RpcException(new Status(StatusCode.InvalidArgument,
            $"The chat template of model '{Shorten(model)}' refused these messages: {Bounded(raised.Message)}")),
        ChatTemplateException template => new RpcException(new Status(StatusCode.InvalidArgument,
            $"The chat template of model '{Shorten(model)}' cannot render these messages: {Bounded(template.Message)}")),
        OperationCanceledException when deadline <= DateTime.UtcNow =>
            new RpcException(new Status(StatusCode.DeadlineExceeded, "The deadline passed before the request ran.")),
        OperationCanceledException => new RpcException(new Status(StatusCode.Cancelled, "The request was cancelled before it ran.")),
        OnnxRuntimeException ort => new RpcException(new Status(StatusCode.InvalidArgument,
            $"Model '{Shorten(model)}' cannot run on this input: {Bounded(ort.Message.Split('\n')[0])}")),
        _ => LogInternal(error, model, logger),
    };

    /// <summary>A caller's string as far as an error message repeats it: names are short, anything longer is cut.</summary>
    public static string Shorten(string? text) =>
        text is null ? "" : text.Length <= MaxEcho ? text : string.Concat(text.AsSpan(0, MaxEcho), "...");

    /// <summary>
    /// Why a model failed to load, as statuses, RepositoryIndex and the open /health show it: the first line of the
    /// message, paths inside the repository relative to it, bounded. The whole exception is logged where it happens.
    /// </summary>
    public static string LoadFailureReason(Exception error, string repositoryRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(repositoryRoot);
        var message = error.Message.Split('\n')[0].Replace(root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal).Replace(root, "models", StringComparison.Ordinal);
        return Bounded(message);
    }

    /// <summary>The trace id of the current call, which the log lines of its failure carry too.</summary>
    public static string TraceId => Activity.Current?.TraceId.ToString() ?? "none";

    private static string Bounded(string text) => text.Length <= MaxReason ? text : text[..MaxReason] + "...";

    private static RpcException LogInternal(Exception error, string model, ILogger logger)
    {
        logger.LogError(error, "Inference on {Model} failed (trace {TraceId})", model, TraceId);
        return new RpcException(new Status(StatusCode.Internal, $"Inference on '{Shorten(model)}' failed on the server; its log has the details under trace id {TraceId}."));
    }
}
