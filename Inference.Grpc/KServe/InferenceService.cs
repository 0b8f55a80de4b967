using System.Diagnostics;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using MlStack.Inference.Repository;
using MlStack.Inference.V2;

namespace MlStack.Inference.KServe;

/// <summary>The Open Inference Protocol (KServe v2) with Triton's repository extension, over the model repository.</summary>
public sealed class InferenceService(ModelRepository repository, InferenceMetrics metrics, ILogger<InferenceService> logger)
    : GRPCInferenceService.GRPCInferenceServiceBase
{
    public const string ServerName = "mlstack";

    private static readonly string ServerVersion =
        typeof(InferenceService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = repository.IsReady });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context)
    {
        try
        {
            repository.Resolve(request.Name, request.Version);
            return Task.FromResult(new ModelReadyResponse { Ready = true });
        }
        catch (RpcException error) when (error.StatusCode == StatusCode.Unavailable)
        {
            return Task.FromResult(new ModelReadyResponse { Ready = false });
        }
    }

    public override Task<ServerMetadataResponse> ServerMetadata(ServerMetadataRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerMetadataResponse
        {
            Name = ServerName,
            Version = ServerVersion,
            Extensions =
            {
                "model_repository",
                "mlstack_embeddings",
                // Where models run: "execution_provider=cuda", or "execution_provider=cpu" as the fallback.
                "execution_provider=" + repository.Sessions.Provider.ToString().ToLowerInvariant(),
            },
        });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        var model = repository.Resolve(request.Name, request.Version);
        var response = new ModelMetadataResponse
        {
            Name = model.Name,
            Platform = model.Config.Platform,
            Versions = { repository.Loaded().Where(m => m.Name == model.Name).Select(m => m.VersionText) },
            Parameters =
            {
                ["execution_provider"] = new InferParameter { StringParam = model.Provider.ToString().ToLowerInvariant() },
                ["task"] = new InferParameter { StringParam = model.Config.Task },
                ["max_batch_size"] = new InferParameter { Int64Param = model.Config.MaxBatchSize },
                ["dynamic_batching"] = new InferParameter { BoolParam = model.Batching.Enabled },
            },
        };
        response.Inputs.AddRange(model.Inputs.Select(Describe));
        response.Outputs.AddRange(model.Outputs.Select(Describe));
        return Task.FromResult(response);
    }

    private static ModelMetadataResponse.Types.TensorMetadata Describe(TensorSpec spec) =>
        new() { Name = spec.Name, Datatype = spec.DataType, Shape = { spec.Shape } };

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Labels only name models that exist: free-form names from bad requests would grow the series without bound.
        string model = "", version = "";
        TensorWork? work = null;
        try
        {
            var served = repository.Resolve(request.ModelName, request.ModelVersion);
            (model, version) = (served.Name, served.VersionText);
            work = InferRequestDecoder.Decode(request, served, context.CancellationToken);
            var outputs = await served.Tensors.EnqueueAsync(work);

            var response = new ModelInferResponse { ModelName = served.Name, ModelVersion = served.VersionText, Id = request.Id };
            foreach (var output in outputs)
            {
                if (request.Outputs.Count > 0 && !request.Outputs.Any(o => o.Name == output.Name)) continue;
                response.Outputs.Add(new ModelInferResponse.Types.InferOutputTensor
                {
                    Name = output.Name,
                    Datatype = output.DataType,
                    Shape = { output.Shape },
                });
                response.RawOutputContents.Add(output.Data);
            }
            metrics.RequestSucceeded(model, version, Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception error)
        {
            var status = ServingErrors.ToRpc(error, request.ModelName, context, logger);
            metrics.RequestFailed(model, version, status.StatusCode);
            throw status;
        }
        finally
        {
            work?.ReturnBuffers();
        }
    }

    public override Task<RepositoryIndexResponse> RepositoryIndex(RepositoryIndexRequest request, ServerCallContext context)
    {
        CheckRepositoryName(request.RepositoryName);
        var response = new RepositoryIndexResponse();
        foreach (var entry in repository.Index())
        {
            if (request.Ready && entry.State != ModelStates.Ready) continue;
            response.Models.Add(new RepositoryIndexResponse.Types.ModelIndex
            {
                Name = entry.Name,
                Version = entry.Version,
                State = entry.State,
                Reason = entry.Reason,
            });
        }
        return Task.FromResult(response);
    }

    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        CheckRepositoryName(request.RepositoryName);
        await repository.LoadAsync(request.ModelName);
        // Like Triton: a load that fails answers with the reason, and the model stays UNAVAILABLE.
        var entry = repository.Index().FirstOrDefault(e => e.Name == request.ModelName);
        if (entry is not null && (entry.State != ModelStates.Ready || entry.Reason.StartsWith("reload failed", StringComparison.Ordinal)))
            throw new RpcException(new Status(StatusCode.Unavailable, $"Model '{request.ModelName}' failed to load: {entry.Reason}"));
        return new RepositoryModelLoadResponse();
    }

    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        CheckRepositoryName(request.RepositoryName);
        await repository.UnloadAsync(request.ModelName);
        return new RepositoryModelUnloadResponse();
    }

    private static void CheckRepositoryName(string name)
    {
        if (name.Length > 0 && name != "default" && name != "models")
            throw new RpcException(new Status(StatusCode.NotFound, $"Repository '{name}' does not exist; this server has one, named 'models' (or empty)."));
    }
}
