using Microsoft.AspNetCore.Builder;
using MlStack.Inference.Embeddings;
using MlStack.Inference.GrpcServices;

namespace Microsoft.Extensions.Hosting;

public static class EmbeddingsExtensions
{
    /// <summary>The one embedding entry point, which the gRPC service and the HTTP doors share.</summary>
    public static WebApplicationBuilder AddEmbeddings(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TextEmbedder>();
        return builder;
    }

    /// <summary>mlstack.inference.v1.Embeddings: text to vectors on the repository's embedding models.</summary>
    public static WebApplication MapEmbeddings(this WebApplication app)
    {
        app.MapGrpcService<EmbeddingsService>();
        return app;
    }
}
