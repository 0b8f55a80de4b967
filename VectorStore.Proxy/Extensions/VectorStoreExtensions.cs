using System.Text.Json.Serialization;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MlStack.Inference.V1;
using MlStack.VectorStore.Api;
using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Embedding;
using MlStack.VectorStore.Extraction;
using MlStack.VectorStore.Ingestion;
using MlStack.VectorStore.Search;
using MlStack.VectorStore.Telemetry;
using MlStack.VectorStore.Visibility;

namespace Microsoft.Extensions.Hosting;

public static class VectorStoreExtensions
{
    private const int FramingAllowance = 64 * 1024;

    /// <summary>
    /// The store: its embedding client, the collection catalog, the manifest with its in-memory committed revisions,
    /// document extraction (PDFs in a worker process), ingest, semantic search, metrics, and both APIs' plumbing.
    /// </summary>
    public static WebApplicationBuilder AddVectorStore(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<EmbeddingOptions>(EmbeddingOptions.SectionName);
        builder.AddValidatedOptions<InferenceKeyOptions>(InferenceKeyOptions.SectionName);
        builder.AddValidatedOptions<VisibilityOptions>(VisibilityOptions.SectionName);
        builder.AddValidatedOptions<IngestionOptions>(IngestionOptions.SectionName);
        builder.AddValidatedOptions<SearchOptions>(SearchOptions.SectionName);
        builder.AddValidatedOptions<ExtractionOptions>(ExtractionOptions.SectionName);

        // Service discovery resolves the address when called ("services:inference:grpc" from Aspire).
        builder.Services.AddServiceGrpcClient<Embeddings.EmbeddingsClient>(EmbeddingOptions.InferenceAddress)
            .AddApiKey(services => services.GetRequiredService<IOptions<InferenceKeyOptions>>().Value.ApiKey);
        builder.Services.AddSingleton<EmbeddingGateway>();

        builder.Services.AddSingleton<CollectionStatistics>();
        builder.Services.AddSingleton<VectorStoreMetrics>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RevisionCache>();
        builder.Services.AddSingleton<DocumentManifest>();
        builder.Services.AddSingleton<CollectionCatalog>();

        builder.Services.AddSingleton<PdfExtractionWorker>();
        builder.Services.AddSingleton<DocumentExtractor>();
        builder.Services.AddSingleton<DocumentPreparer>();
        builder.Services.AddSingleton<DocumentLocks>();
        builder.Services.AddSingleton<ChunkWriter>();
        builder.Services.AddSingleton<DocumentIngestor>();

        builder.Services.AddSingleton<SemanticSearch>();

        // A document arrives whole in one message or request body; allow the configured size plus framing.
        builder.Services.AddGrpc(options => options.Interceptors.Add<GrpcErrorInterceptor>());
        builder.Services.AddOptions<GrpcServiceOptions>().Configure<IOptions<IngestionOptions>>((grpc, ingestion) =>
            grpc.MaxReceiveMessageSize = ingestion.Value.MaxDocumentBytes + FramingAllowance);
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<IngestionOptions>>((kestrel, ingestion) =>
            kestrel.Limits.MaxRequestBodySize = ingestion.Value.MaxDocumentBytes + FramingAllowance);

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<HttpErrorHandler>();
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        return builder;
    }

    /// <summary>
    /// Failures as problem+json: exceptions through <see cref="HttpErrorHandler"/>, and the refusals ASP.NET answers
    /// without one (an unsupported media type, an unknown route or method) with a problem body too. 401 and 403 stay
    /// bare: they say nothing about the API to a caller without the key.
    /// </summary>
    public static WebApplication UseVectorStoreErrors(this WebApplication app)
    {
        // A 404 here is an answer (an unknown collection or document), not a missing error page.
        app.UseExceptionHandler(new ExceptionHandlerOptions { AllowStatusCode404Response = true });
        app.UseStatusCodePages(async context =>
        {
            var http = context.HttpContext;
            if (http.Response.StatusCode is StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden) return;
            await HttpErrorHandler.WriteAsync(http.RequestServices.GetRequiredService<IProblemDetailsService>(), http,
                HttpErrorHandler.ForStatus(http.Response.StatusCode));
        });
        return app;
    }

    public static WebApplication MapVectorStore(this WebApplication app)
    {
        app.MapGrpcService<VectorStoreService>().RequireAuthorization();
        app.MapVectorStoreHttpApi().RequireAuthorization();
        return app;
    }
}
