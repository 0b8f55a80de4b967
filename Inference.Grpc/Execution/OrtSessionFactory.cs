using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using SessionOptions = Microsoft.ML.OnnxRuntime.SessionOptions;

namespace MlStack.Inference.Execution;

/// <summary>
/// Creates ONNX Runtime sessions on CUDA when it is asked for or available, else on CPU.
/// On a GPU host the CUDA provider runs every supported node on the device; unsupported nodes fall back to
/// ORT's CPU kernels inside the same session. Without a GPU, appending the CUDA provider throws
/// OnnxRuntimeException (its shared library cannot load libcudart/libcudnn); "auto" then falls back to CPU
/// and says why, "cuda" refuses to start the model.
/// </summary>
public sealed class OrtSessionFactory(IOptions<ExecutionOptions> options, ILogger<OrtSessionFactory> logger)
{
    private readonly Lazy<(ExecutionProviderKind Kind, string Reason)> _selected = new(() => Probe(options.Value, logger));

    /// <summary>The provider new sessions get, decided once per process.</summary>
    public ExecutionProviderKind Provider => _selected.Value.Kind;

    /// <summary>Why that provider was chosen (e.g. the CUDA load error), for logs, metadata and metrics.</summary>
    public string ProviderReason => _selected.Value.Reason;

    public OrtSessionHandle Create(string modelPath)
    {
        var (kind, reason) = _selected.Value;
        using var sessionOptions = CreateSessionOptions(options.Value, kind);
        return new OrtSessionHandle(new InferenceSession(modelPath, sessionOptions), kind, reason);
    }

    /// <summary>
    /// A session over a graph in memory (one rewritten at load); <paramref name="externalDataFolder"/> is where its
    /// external data files are (the folder of the file it was read from), since a graph in memory has no folder.
    /// </summary>
    public OrtSessionHandle Create(byte[] model, string? externalDataFolder = null)
    {
        var (kind, reason) = _selected.Value;
        using var sessionOptions = CreateSessionOptions(options.Value, kind);
        if (externalDataFolder is not null)
        {
            sessionOptions.AddSessionConfigEntry("session.model_external_initializers_file_folder_path", externalDataFolder);
        }
        return new OrtSessionHandle(new InferenceSession(model, sessionOptions), kind, reason);
    }

    internal static SessionOptions CreateSessionOptions(ExecutionOptions settings, ExecutionProviderKind kind)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = settings.GraphOptimizationLevel,
            IntraOpNumThreads = settings.IntraOpNumThreads,
            InterOpNumThreads = settings.InterOpNumThreads,
        };
        try
        {
            if (!settings.AllowSpinning)
            {
                sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
                sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            }
            else if (settings.StopSpinningBetweenRuns)
            {
                sessionOptions.AddSessionConfigEntry("session.force_spinning_stop", "1");
            }
            if (kind == ExecutionProviderKind.Cuda)
            {
                sessionOptions.AppendExecutionProvider_CUDA(settings.CudaDeviceId);
            }
            return sessionOptions;
        }
        catch
        {
            sessionOptions.Dispose();
            throw;
        }
    }

    /// <summary>Decides the provider by trying to append CUDA once; the result holds for the process.</summary>
    internal static (ExecutionProviderKind Kind, string Reason) Probe(ExecutionOptions settings, ILogger logger)
    {
        if (settings.Provider == ExecutionProviderPreference.Cpu)
        {
            logger.LogInformation("ONNX Runtime execution provider: CPU (Execution:Provider=cpu)");
            return (ExecutionProviderKind.Cpu, "configured: cpu");
        }

        try
        {
            using var probe = CreateSessionOptions(settings, ExecutionProviderKind.Cuda);
            logger.LogInformation("ONNX Runtime execution provider: CUDA device {DeviceId}", settings.CudaDeviceId);
            return (ExecutionProviderKind.Cuda, $"CUDA device {settings.CudaDeviceId}");
        }
        catch (OnnxRuntimeException ex) when (settings.Provider == ExecutionProviderPreference.Auto)
        {
            logger.LogWarning("CUDA execution provider unavailable, falling back to CPU: {Reason}", FirstLine(ex.Message));
            return (ExecutionProviderKind.Cpu, "CUDA unavailable: " + FirstLine(ex.Message));
        }
        catch (OnnxRuntimeException ex)
        {
            throw new InvalidOperationException(
                $"Execution:Provider=cuda, but the CUDA execution provider cannot load: {FirstLine(ex.Message)}", ex);
        }
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n', 2)[0].Trim();
        return line.Length > 300 ? line[..300] : line;
    }
}
