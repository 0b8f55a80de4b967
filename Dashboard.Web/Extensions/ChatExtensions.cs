using Microsoft.Extensions.Options;
using MlStack.Dashboard.Services.Chat;
using MlStack.Dashboard.Services.Cost;
using MlStack.Inference.V1;

namespace Microsoft.Extensions.Hosting;

public static class ChatExtensions
{
    /// <summary>The inference service's gRPC endpoint, found by service discovery.</summary>
    public static readonly Uri InferenceAddress = new("http://_grpc.inference");

    /// <summary>Chat with MlStack models (gRPC, through <see cref="InferenceChatClient"/>) and with OpenAI-compatible endpoints.</summary>
    public static WebApplicationBuilder AddChat(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ChatEndpointOptions>(ChatEndpointOptions.SectionName);
        builder.AddValidatedOptions<InferenceOptions>(InferenceOptions.SectionName);

        // Every inference call goes through this one client registration, with the inference API key.
        builder.Services.AddServiceGrpcClient<TextGeneration.TextGenerationClient>(InferenceAddress)
            .AddApiKey(services => services.GetRequiredService<IOptions<InferenceOptions>>().Value.ApiKey)
            .ConfigureChannel(channel => channel.ThrowOperationCanceledOnCancellation = true);

        // Answers stream for as long as the model writes: no HTTP resilience timeout may cut them; the OpenAI SDK retries itself.
        builder.Services.AddHttpClient(ChatClientFactory.EndpointHttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();

        builder.Services.AddSingleton<InferenceChatClient>();
        builder.Services.AddSingleton<ChatEndpointStore>();
        builder.Services.AddSingleton<ChatClientFactory>();
        builder.Services.AddSingleton<ChatAnswerer>();
        builder.Services.AddSingleton<LoadRunner>();
        builder.Services.AddScoped<ChatBackendCatalog>();
        builder.Services.AddSingleton<ChatEndpointProbe>();
        builder.Services.AddScoped<IChatStore, BrowserChatStorage>();
        builder.Services.AddScoped<ChatSession>();
        return builder;
    }
}
