using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services.Documents;
using MlStack.Dashboard.Services.Rag;
using VectorStoreClient = MlStack.VectorStore.V1.VectorStore.VectorStoreClient;

namespace Microsoft.Extensions.Hosting;

public static class DocumentsExtensions
{
    /// <summary>The vector store's gRPC endpoint, found by service discovery.</summary>
    public static readonly Uri VectorsAddress = new("http://_grpc.vectors");

    /// <summary>The vector store client (its API key added on the server to every call) and the RAG service.</summary>
    public static WebApplicationBuilder AddDocuments(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<VectorsOptions>(VectorsOptions.SectionName);
        builder.Services.AddServiceGrpcClient<VectorStoreClient>(VectorsAddress)
            .AddApiKey(services => services.GetRequiredService<IOptions<VectorsOptions>>().Value.ApiKey);

        builder.Services.AddScoped<DocumentLibrary>();
        builder.Services.AddScoped<ISemanticSearch>(services => services.GetRequiredService<DocumentLibrary>());
        builder.Services.AddScoped<IDocumentCollections>(services => services.GetRequiredService<DocumentLibrary>());
        builder.Services.AddScoped<RagService>();
        return builder;
    }
}
