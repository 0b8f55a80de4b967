using MlStack.Inference.Tensors;
using System.Reflection;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using MlStack.Inference.Errors;
using MlStack.Inference.Repository;
using MlStack.Inference.Security;
using MlStack.Inference.V2;

namespace MlStack.Inference.GrpcServices;

/// <summary>The Open Inference Protocol (KServe v2) with Triton's repository extension, over the model repository.</summary>
public sealed class InferenceService(ModelRepository repository, TensorInferencer inferencer)
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
        catch (InferenceException error) when (error.Reason == InferenceErrorReason.Unavailable)
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
        var serving = repository.StatusOf(model.Name)?.Serving ?? ServedVersions.None;
        var response = new ModelMetadataResponse
        {
            Name = model.Name,
            Platform = model.Config.Platform,
            Versions = { serving.Versions.Values.Select(v => v.Model.VersionText) },
            Parameters =
            {
                ["execution_provider"] = new InferParameter { StringParam = model.Provider.ToString().ToLowerInvariant() },
                ["task"] = new InferParameter { StringParam = model.Config.Task },
                ["max_batch_size"] = new InferParameter { Int64Param = model.Config.MaxBatchSize },
                ["dynamic_batching"] = new InferParameter { BoolParam = model is ServableModel { Batching.Enabled: true } },
                // How requests that name no version are shared: "1=90,2=10".
                ["version_weights"] = new InferParameter { StringParam = VersionWeightsText(serving) },
            },
        };
        response.Inputs.AddRange(model.Inputs.Select(Describe));
        response.Outputs.AddRange(model.Outputs.Select(Describe));
        return Task.FromResult(response);
    }

    private static string VersionWeightsText(ServedVersions serving) =>
        serving.Router is { } router
            ? string.Join(",", router.Weights.Select(w => $"{w.Key}={w.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"))
            : "";

    private static ModelMetadataResponse.Types.TensorMetadata Describe(TensorSpec spec) =>
        new() { Name = spec.Name, Datatype = spec.DataType, Shape = { spec.Shape } };

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context) =>
        inferencer.InferAsync(request, context.Deadline, context.CancellationToken);

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

    [Authorize(Policy = InferenceKeyOptions.RepositoryControlPolicy)]
    public override async Task<RepositoryModelLoadResponse> RepositoryModelLoad(RepositoryModelLoadRequest request, ServerCallContext context)
    {
        CheckRepositoryName(request.RepositoryName);
        await repository.LoadAsync(request.ModelName, config: ConfigOverride(request));
        // Like Triton: a load that fails answers with the reason, and the model stays UNAVAILABLE.
        var entry = repository.Index().FirstOrDefault(e => e.Name == request.ModelName);
        if (entry is not null && (entry.State != ModelStates.Ready || entry.Reason.StartsWith("reload failed", StringComparison.Ordinal)))
            throw new RpcException(new Status(StatusCode.Unavailable, $"Model '{request.ModelName}' failed to load: {entry.Reason}"));
        return new RepositoryModelLoadResponse();
    }

    [Authorize(Policy = InferenceKeyOptions.RepositoryControlPolicy)]
    public override async Task<RepositoryModelUnloadResponse> RepositoryModelUnload(RepositoryModelUnloadRequest request, ServerCallContext context)
    {
        CheckRepositoryName(request.RepositoryName);
        await repository.UnloadAsync(request.ModelName);
        return new RepositoryModelUnloadResponse();
    }

    /// <summary>
    /// The "config" parameter, as Triton takes it: the whole model configuration as JSON (here model.json's format),
    /// used instead of the file until the next load without one. Checked before anything changes.
    /// </summary>
    private static ModelConfig? ConfigOverride(RepositoryModelLoadRequest request)
    {
        foreach (var name in request.Parameters.Keys)
        {
            if (name != "config")
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Unknown parameter '{ServingErrors.Shorten(name)}': RepositoryModelLoad takes 'config' (the model configuration as JSON, model.json's format)."));
        }
        if (!request.Parameters.TryGetValue("config", out var parameter)) return null;
        if (parameter.ParameterChoiceCase != ModelRepositoryParameter.ParameterChoiceOneofCase.StringParam)
            throw new RpcException(new Status(StatusCode.InvalidArgument, "Parameter 'config' must be a string_param holding the model configuration as JSON."));
        try
        {
            var config = ModelConfig.Parse(parameter.StringParam, "Parameter 'config'");
            config.Validate();
            return config;
        }
        catch (InvalidDataException error)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Model '{ServingErrors.Shorten(request.ModelName)}' was not changed: {error.Message}"));
        }
    }

    private static void CheckRepositoryName(string name)
    {
        if (name.Length > 0 && name != "default" && name != "models")
            throw new RpcException(new Status(StatusCode.NotFound, $"Repository '{ServingErrors.Shorten(name)}' does not exist; this server has one, named 'models' (or empty)."));
    }
}
