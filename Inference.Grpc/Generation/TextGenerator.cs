using System.Diagnostics;
using Grpc.Core;
using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.Generation;

/// <summary>
/// The one entry point of text generation, whatever the door (the gRPC TextGeneration service; an HTTP one would
/// call the same): resolves the model and version, renders chat messages with the model's template, encodes the
/// prompt, settles the sampling parameters and queues the sequence in the version's batching scheduler. Bad input,
/// an unknown or unavailable model and a full queue are RpcExceptions with a precise status, thrown before anything
/// is streamed; the returned <see cref="GenerationStream"/> yields the steps and the summary.
/// </summary>
public sealed class TextGenerator(GeneratorCatalog catalog, GenerationRequestValidator validator, GenerationMetrics metrics)
{
    public GenerationStream Start(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var arrival = Stopwatch.GetTimestamp();
        var model = catalog.Resolve(request.Model, request.Version, request.ConversationKey);
        try
        {
            var prompt = EncodePrompt(model, request.Messages is { } messages ? RenderChat(model, messages) : request.Prompt);
            var sampling = validator.Resolve(model, request.Parameters, prompt.Count);
            var sequence = model.Scheduler.Submit(prompt, sampling);
            metrics.Prefilled(model.Tags, prompt.Count);
            return new GenerationStream(model, prompt.Count, sequence, metrics, arrival, cancellationToken);
        }
        catch (RpcException error)
        {
            metrics.Failed(model.Tags, error.StatusCode);
            throw;
        }
    }

    public static IReadOnlyList<int> EncodePrompt(GeneratorModel model, string? prompt)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            throw GenerationRequestValidator.Invalid("prompt must not be empty.");
        }
        return model.Tokenizer.Encode(prompt);
    }

    /// <summary>The conversation as the model's chat template renders it, ending with the assistant's turn.</summary>
    public static string RenderChat(GeneratorModel model, IReadOnlyList<ChatTurn> messages)
    {
        GenerationRequestValidator.ValidateMessages(messages);
        ChatTemplate template;
        try
        {
            template = model.ParsedChatTemplate;
        }
        catch (ChatTemplateException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The chat template of model '{model.Name}' is outside the supported Jinja subset: {ex.Message}"));
        }
        try
        {
            return template.Render(messages.Select(m => (m.Role, m.Content)), addGenerationPrompt: true, model.TemplateVariables);
        }
        catch (ChatTemplateException ex)
        {
            throw GenerationRequestValidator.Invalid($"The chat template of model '{model.Name}' cannot render these messages: {ex.Message}");
        }
    }
}
