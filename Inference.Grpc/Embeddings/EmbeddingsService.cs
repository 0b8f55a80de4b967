using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlStack.Inference.Repository;
using MlStack.Inference.V1;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// Text to vectors in one call. Texts are tokenized on the request's thread, queued to the model's text batcher
/// (merged with other requests' texts into one padded run) and mean-pooled; long texts are cut to the model's
/// limit and flagged.
/// </summary>
public sealed class EmbeddingsService(ModelRepository repository, InferenceMetrics metrics, IOptions<ModelRepositoryOptions> options,
    RequestMemoryBudget budget, ILogger<EmbeddingsService> logger) : V1.Embeddings.EmbeddingsBase
{
    public override async Task<EmbedResponse> Embed(EmbedRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var name = string.IsNullOrEmpty(request.Model) ? options.Value.DefaultEmbeddingModel : request.Model;
        // Labels only name models that exist: free-form names from bad requests would grow the series without bound.
        string label = "", version = "";
        try
        {
            var model = repository.Resolve<ServableModel>(name, request.Version, "Embed serves embedding models; use mlstack.inference.v1.TextGeneration");
            (label, version) = (model.Name, model.VersionText);
            if (model.Texts is null || model.Tokenizer is null)
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"Model '{name}' is a {model.Config.Task} model, not an embedding model; use ModelInfer."));
            if (request.Texts.Count == 0)
                throw new RpcException(new Status(StatusCode.InvalidArgument, "texts is empty: give at least one text."));
            // Refused before any text is tokenized: the cost of a call is decided by its count and the model's limits.
            var maxTexts = options.Value.MaxEmbedTexts;
            if (request.Texts.Count > maxTexts)
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"texts has {request.Texts.Count} entries; one Embed call takes at most {maxTexts} (ModelRepository:MaxEmbedTexts): split it into several calls."));
            // What the call holds until it answers: every text's token ids at the model's longest, and its vector.
            using var reservation = budget.Reserve(
                (long)request.Texts.Count * (model.Tokenizer.MaxSequenceLength * sizeof(long) + model.Dimensions * sizeof(float)));

            var response = new EmbedResponse { Model = model.Name, Version = model.VersionText, Dimensions = model.Dimensions };
            var tokenized = new TokenizedText[request.Texts.Count];
            for (var i = 0; i < tokenized.Length; i++) tokenized[i] = model.Tokenizer.Tokenize(request.Texts[i]);

            // A request larger than one batch is queued as several parts; they may run in different batches.
            var part = model.Batching.MaxBatchSize;
            var pending = new Task<float[][]>[(tokenized.Length + part - 1) / part];
            for (var p = 0; p < pending.Length; p++)
            {
                var ids = tokenized.Skip(p * part).Take(part).Select(t => t.Ids).ToArray();
                pending[p] = model.Texts.EnqueueAsync(new EmbeddingWork(ids, context.CancellationToken));
            }

            var index = 0;
            foreach (var task in pending)
            {
                foreach (var vector in await task)
                {
                    if (request.Normalize) EmbeddingRunner.Normalize(vector);
                    var embedding = new Embedding { TokenCount = tokenized[index].Ids.Length, Truncated = tokenized[index].Truncated };
                    embedding.Values.AddRange(vector);
                    response.Embeddings.Add(embedding);
                    index++;
                }
            }
            metrics.RequestSucceeded(model.Name, model.VersionText, Stopwatch.GetElapsedTime(started));
            return response;
        }
        catch (Exception error)
        {
            var status = ServingErrors.ToRpc(error, name, context, logger);
            metrics.RequestFailed(label, version, status.StatusCode);
            throw status;
        }
    }
}
