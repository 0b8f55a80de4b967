using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// The one way pages get a chat client: MlStack models through <see cref="InferenceChatClient"/>, OpenAI-compatible
/// endpoints through Microsoft.Extensions.AI.OpenAI. Both are traced under the MlStack.Dashboard.Chat source.
/// </summary>
public sealed class ChatClientFactory(InferenceChatClient inference, ChatEndpointStore endpoints, IHttpClientFactory httpClients, ILoggerFactory loggers)
{
    public const string EndpointHttpClientName = "chat-endpoints";
    public const string TelemetrySourceName = "MlStack.Dashboard.Chat";

    public async Task<IChatClient> CreateAsync(ChatBackend backend, CancellationToken cancellationToken)
    {
        IChatClient client = backend.Kind switch
        {
            ChatBackendKind.MlStack => new NonDisposingChatClient(inference),
            _ => await CreateEndpointClientAsync(backend, cancellationToken),
        };
        return client.AsBuilder().UseOpenTelemetry(loggers, TelemetrySourceName).Build();
    }

    private async Task<IChatClient> CreateEndpointClientAsync(ChatBackend backend, CancellationToken cancellationToken)
    {
        var endpoint = await endpoints.FindAsync(backend.EndpointName ?? "", cancellationToken)
            ?? throw new InvalidOperationException($"The endpoint '{backend.EndpointName}' is no longer configured.");
        var options = new OpenAIClientOptions
        {
            Endpoint = endpoint.BaseAddress,
            Transport = new HttpClientPipelineTransport(httpClients.CreateClient(EndpointHttpClientName)),
            // One retry, not the SDK's three with back-off: a refused endpoint is reported in seconds, and the
            // answerer's silence timeout (ChatLimits.SilenceTimeout) bounds the whole call anyway.
            RetryPolicy = new ClientRetryPolicy(maxRetries: 1),
            NetworkTimeout = ChatLimits.SilenceTimeout,
        };
        // Local servers (Ollama, vLLM) take any key; the SDK insists on one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(endpoint.ApiKey) ? "none" : endpoint.ApiKey);
        return new OpenAIClient(credential, options).GetChatClient(endpoint.Model).AsIChatClient();
    }

    /// <summary>The inference client is a shared singleton: a page disposing its pipeline must not dispose it.</summary>
    private sealed class NonDisposingChatClient(IChatClient inner) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
        }
    }
}
