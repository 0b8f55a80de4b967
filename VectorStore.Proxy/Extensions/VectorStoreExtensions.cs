using System.Text.Json.Serialization;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using MlStack.Inference.V1;
using MlStack.VectorStore.Api;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Store;
using MlStack.VectorStore.Telemetry;

namespace Microsoft.Extensions.Hosting;

public static class VectorStoreExtensions
{
    private const int FramingAllowance = 64 * 1024;

    /// <summary>The store, its embedding client, metrics and both APIs' plumbing.</summary>
    public static WebApplicationBuilder AddVectorStore(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<StoreOptions>(StoreOptions.SectionName);
        builder.AddValidatedOptions<EmbeddingOptions>(EmbeddingOptions.SectionName);

        // Service discovery resolves the address when called ("services:inference:grpc" from Aspire).
        builder.Services.AddServiceGrpcClient<Embeddings.EmbeddingsClient>(EmbeddingOptions.InferenceAddress);

        builder.Services.AddSingleton<CollectionStatistics>();
        builder.Services.AddSingleton<VectorStoreMetrics>();
        builder.Services.AddSingleton<ChromaDatabaseInitializer>();
        builder.Services.AddSingleton<EmbeddingGateway>();
        builder.Services.AddSingleton<VectorStoreService>();

        // A document arrives whole in one message or request body; allow the configured size plus framing.
        builder.Services.AddGrpc(options => options.Interceptors.Add<GrpcErrorInterceptor>());
        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<StoreOptions>>((grpc, store) =>
            grpc.MaxReceiveMessageSize = store.Value.MaxDocumentBytes + FramingAllowance);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<StoreOptions>>((kestrel, store) =>
            kestrel.Limits.MaxRequestBodySize = store.Value.MaxDocumentBytes + FramingAllowance);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<HttpErrorHandler>();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }

    public static WebApplication MapVectorStore(this WebApplication app)
    {
        app.MapGrpcService<VectorStoreGrpcService>().RequireAuthorization();
        app.MapVectorStoreHttpApi().RequireAuthorization();
        return app;
    }
}
