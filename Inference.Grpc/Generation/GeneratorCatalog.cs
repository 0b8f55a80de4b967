using Microsoft.Extensions.Options;
using MlStack.Inference.Repository;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation;

/// <summary>
/// The text-generation models of the model repository, as the generation service sees them: a view, not a second
/// store. Loading, unloading, states and readiness are the repository's; this resolves a request's model, version and
/// conversation key to a loaded <see cref="GeneratorModel"/> with errors worded for generation.
/// </summary>
public sealed class GeneratorCatalog(ModelRepository repository, IOptions<GenerationOptions> options)
{
    /// <summary>Every loaded version of every text-generation model, by name then version.</summary>
    public IReadOnlyList<GeneratorModel> Loaded() =>
        [.. repository.Loaded().OfType<GeneratorModel>().OrderBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.Version)];

    /// <summary>
    /// The version that serves a request: the one it names, else the one the model's version_weights pick (the same for
    /// every request of a conversation key). An empty name means Generation:DefaultModel, else the first generator.
    /// </summary>
    public GeneratorModel Resolve(string? name, string? version = null, string? conversationKey = null)
    {
        var loaded = Loaded();
        if (string.IsNullOrEmpty(name))
        {
            var preferred = options.Value.DefaultModel;
            name = !string.IsNullOrEmpty(preferred) && loaded.Any(m => m.Name == preferred) ? preferred : loaded.FirstOrDefault()?.Name;
            if (name is null)
            {
                throw repository.StartupComplete
                    ? new InferenceException(InferenceErrorReason.NotFound, "No text-generation model is loaded.")
                    : new InferenceException(InferenceErrorReason.Unavailable, "Generator models are still loading; retry shortly.");
            }
        }
        var status = repository.StatusOf(name);
        if (status is null && !repository.StartupComplete)
        {
            throw new InferenceException(InferenceErrorReason.Unavailable, "Generator models are still loading; retry shortly.");
        }
        if (status is { Task: { } task } && task != ModelConfig.TextGenerationTask)
        {
            throw new InferenceException(InferenceErrorReason.InvalidArgument, $"Model '{name}' is a {task} model, not a text-generation model.");
        }
        if (status is { State: ModelStates.Unavailable, Serving.Versions.Count: 0 } && status.Reason is not ("" or "unloaded"))
        {
            throw new InferenceException(InferenceErrorReason.Unavailable, $"Model '{name}' failed to load: {status.Reason}");
        }
        try
        {
            return (GeneratorModel)repository.Resolve(name, version, conversationKey);
        }
        catch (InferenceException error) when (error.Reason == InferenceErrorReason.NotFound && status is null)
        {
            var names = loaded.Select(m => m.Name).Distinct().ToList();
            throw new InferenceException(InferenceErrorReason.NotFound,
                $"Model '{ServingErrors.Shorten(name)}' is not a loaded text-generation model (loaded: {(names.Count == 0 ? "none" : string.Join(", ", names))}).");
        }
    }
}
