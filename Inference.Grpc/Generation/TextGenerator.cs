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
    /// <summary>One choice; a request for n &gt; 1 goes to <see cref="StartChoices"/>.</summary>
    public GenerationStream Start(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Parameters.Choices is > 1)
        {
            throw GenerationRequestValidator.Invalid($"n is {request.Parameters.Choices}; this door generates one choice per request.");
        }
        return StartChoices(request, cancellationToken).Streams[0];
    }

    /// <summary>The request's n choices (OpenAI's n, 1 when unset), from one prefill of the prompt.</summary>
    public GenerationChoices StartChoices(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        var arrival = Stopwatch.GetTimestamp();
        var model = catalog.Resolve(request.Model, request.Version, request.ConversationKey);
        if (request.User is { Length: > 0 } user)
        {
            // OpenAI's user: for tracing (who asked), nothing else.
            Activity.Current?.SetTag("enduser.id", user);
        }
        try
        {
            var tools = ToolUse.Resolve(model, request);
            if (tools.Constraint is not null)
            {
                request = request with { Constraint = tools.Constraint }; // a required or named tool choice shapes the output
            }
            var choices = GenerationRequestValidator.Choices(request.Parameters);
            var prompt = request.Messages is { } messages
                ? encoder.EncodeChat(model, messages, new ChatRenderOptions(Tools: tools.TemplateTools))
                : encoder.EncodePrompt(model, request.Prompt);
            var sampling = validator.Resolve(model, request.Parameters, prompt.Count);
            var constraint = request.Constraint is { } wanted ? model.Constraints.Compile(wanted) : null;
            var sequences = model.Scheduler.Submit(prompt, sampling, choices, validator.CacheSalt(request.CacheSalt), constraint);
            metrics.Prefilled(model.Tags, prompt.Count);
            return new GenerationChoices([.. sequences.Select((sequence, i) =>
                new GenerationStream(model, prompt.Count, sequence, metrics, arrival, cancellationToken) { Index = i })]);
        }
        catch (InferenceException error)
        {
            metrics.Failed(model.Tags, error.Reason);
            throw;
        }
    }
}
