using MlStack.Inference.Embeddings;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.GrpcServices;

/// <summary>The mlstack.inference.v1.Embeddings gRPC service: a thin mapping onto <see cref="TextEmbedder"/>.</summary>
public sealed class EmbeddingsService(TextEmbedder embedder) : V1.Embeddings.EmbeddingsBase
{
    public override async Task<EmbedResponse> Embed(EmbedRequest request, ServerCallContext context)
    {
        var result = await embedder.EmbedAsync(request.Model, request.Version, request.Texts, request.Normalize, context.Deadline,
            context.CancellationToken, request.PromptName);
        var response = new EmbedResponse { Model = result.Model, Version = result.Version, Dimensions = result.Dimensions };
        foreach (var text in result.Embeddings)
        {
            var embedding = new Embedding { TokenCount = text.TokenCount, Truncated = text.Truncated };
            embedding.Values.AddRange(text.Vector);
            response.Embeddings.Add(embedding);
        }
        return response;
    }
}
