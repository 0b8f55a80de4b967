using System.Diagnostics;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.ToolCalls;

namespace MlStack.Inference.Generation;

/// <summary>
/// The one entry point of text generation, whatever the door (the gRPC TextGeneration service; an HTTP one would
/// call the same): resolves the model and version, encodes the prompt or the chat messages (bounded, see
/// <see cref="PromptEncoder"/>), settles the sampling parameters and queues the sequence in the version's batching scheduler. Bad input,
/// a schema outside the structured-outputs subset, an unknown or unavailable model and a full queue are InferenceExceptions with a precise reason, thrown before anything
/// is streamed; the returned <see cref="GenerationStream"/> yields the steps and the summary.
/// </summary>
public sealed class TextGenerator(GeneratorCatalog catalog, PromptEncoder encoder, GenerationRequestValidator validator, GenerationMetrics metrics)
{
    public GenerationStream Start(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var arrival = Stopwatch.GetTimestamp();
        var model = catalog.Resolve(request.Model, request.Version, request.ConversationKey);
        try
        {
            var tools = ToolUse.Resolve(model, request);
            if (tools.Constraint is not null)
            {
                request = request with { Constraint = tools.Constraint }; // a required or named tool choice shapes the output
            }
            var prompt = request.Messages is { } messages
                ? encoder.EncodeChat(model, messages, new ChatRenderOptions(Tools: tools.TemplateTools))
                : encoder.EncodePrompt(model, request.Prompt);
            var sampling = validator.Resolve(model, request.Parameters, prompt.Count);
            var constraint = request.Constraint is { } wanted ? model.Constraints.Compile(wanted) : null;
            var sequence = model.Scheduler.Submit(prompt, sampling, validator.CacheSalt(request.CacheSalt), constraint);
            metrics.Prefilled(model.Tags, prompt.Count);
            return new GenerationStream(model, prompt.Count, sequence, metrics, arrival, cancellationToken);
        }
        catch (InferenceException error)
        {
            metrics.Failed(model.Tags, error.Reason);
            throw;
        }
    }
}
