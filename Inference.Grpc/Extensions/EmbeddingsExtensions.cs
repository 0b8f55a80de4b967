using MlStack.Inference.Embeddings;

namespace Microsoft.Extensions.Hosting;

public static class EmbeddingsExtensions
{
    /// <summary>mlstack.inference.v1.Embeddings: text to vectors on the repository's embedding models.</summary>
    public static WebApplication MapEmbeddings(this WebApplication app)
    {
        app.MapGrpcService<EmbeddingsService>();
        return app;
    }
}
