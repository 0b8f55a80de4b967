using Grpc.Core;
using MlStack.Inference.V1;
using MlStack.Dashboard.Services;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>The model picker's choices, and why MlStack's own models are missing when the inference service does not answer.</summary>
public sealed record ChatBackendList(IReadOnlyList<ChatBackend> Backends, string? InferenceProblem)
{
    public ChatBackend? Find(string? id) => Backends.FirstOrDefault(b => b.Id == id);
}

/// <summary>Lists every generation model and version the inference service reports, plus the OpenAI-compatible endpoints.</summary>
public sealed class ChatBackendCatalog(TextGeneration.TextGenerationClient inference, ChatEndpointStore endpoints, ILogger<ChatBackendCatalog> logger)
{
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(5);

    public async Task<ChatBackendList> ListAsync(CancellationToken cancellationToken)
    {
        var backends = new List<ChatBackend>();
        string? problem = null;
        try
        {
            var models = await inference.ListModelsAsync(new ListModelsRequest(), deadline: DateTime.UtcNow + ListTimeout, cancellationToken: cancellationToken);
            backends.AddRange(models.Models.Select(m => new ChatBackend(
                ChatBackendKind.MlStack, m.Name, "MlStack inference", m.Version, m.ContextLength, m.Description)));
            if (models.Models.Count == 0)
            {
                problem = "The inference service has no generation model loaded.";
            }
        }
        catch (RpcException ex)
        {
            logger.LogWarning("Listing generation models failed: {Status}", ex.Status);
            problem = BackendProblem.Describe("inference service", ex);
        }
        backends.AddRange((await endpoints.ListAsync(cancellationToken)).Select(e => e.ToBackend()));
        return new ChatBackendList(backends, problem);
    }
}
