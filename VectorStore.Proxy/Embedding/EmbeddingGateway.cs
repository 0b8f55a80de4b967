using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlStack.Inference.V1;
using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Telemetry;

namespace MlStack.VectorStore.Embedding;

/// <summary>The vectors of a batch of texts and the model that made them.</summary>
public sealed record EmbeddingBatch(string Model, int Dimensions, IReadOnlyList<float[]> Vectors);

/// <summary>Calls Inference.Grpc's Embeddings service and turns its failures into store errors.</summary>
public sealed class EmbeddingGateway(Embeddings.EmbeddingsClient client, IOptions<EmbeddingOptions> options, VectorStoreMetrics metrics)
{
    public int BatchSize => options.Value.BatchSize;

    /// <param name="model">Empty: the inference service's default model.</param>
    public async Task<EmbeddingBatch> EmbedAsync(string model, IReadOnlyList<string> texts, CancellationToken ct)
    {
        var request = new EmbedRequest { Model = model, Normalize = true };
        request.Texts.AddRange(texts);
        var started = Stopwatch.GetTimestamp();
        EmbedResponse response;
        try
        {
            response = await client.EmbedAsync(request, deadline: DateTime.UtcNow.AddSeconds(options.Value.TimeoutSeconds), cancellationToken: ct);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound)
        {
            throw StoreException.FailedPrecondition($"the inference service does not serve the embedding model '{model}': {ex.Status.Detail}", ex);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument)
        {
            throw StoreException.Invalid($"the inference service refused the text: {ex.Status.Detail}");
        }
        catch (RpcException ex) when (ex.StatusCode is not StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            throw StoreException.Unavailable($"the inference service failed to embed ({ex.StatusCode}): {ex.Status.Detail}", ex);
        }
        metrics.Embedded(texts.Count, Stopwatch.GetElapsedTime(started));

        if (response.Embeddings.Count != texts.Count)
            throw StoreException.Unavailable($"the inference service returned {response.Embeddings.Count} vectors for {texts.Count} texts");
        var vectors = response.Embeddings.Select(e => e.Values.ToArray()).ToList();
        if (vectors.Any(v => v.Length != response.Dimensions))
            throw StoreException.Unavailable("the inference service returned vectors of inconsistent dimension");
        return new EmbeddingBatch(response.Model, response.Dimensions, vectors);
    }
}
