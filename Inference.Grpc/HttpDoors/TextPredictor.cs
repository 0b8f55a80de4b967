using System.Text;
using MlStack.Inference.Embeddings;
using MlStack.Inference.Generation;
using MlStack.Inference.Repository;
using MlStack.Inference.Errors;

namespace MlStack.Inference.HttpDoors;

/// <summary>One generated text with how it ended.</summary>
public sealed record GeneratedText(string Text, GenerationResult Result);

/// <summary>
/// What the cloud doors (SageMaker, Vertex AI) do with a batch of texts: generate a continuation of each through the
/// one generation entry point, or embed them through the one embedding entry point. Which of the two depends on the
/// model the request names, or for one that names none on what the caller sent (prompts to the default generator,
/// texts to the default embedding model).
/// </summary>
public sealed class TextPredictor(TextGenerator generator, TextEmbedder embedder, ModelRepository repository)
{
    public enum Kind { Generation, Embedding }

    /// <summary>The task of a named model (text-generation or embedding), or <paramref name="unnamed"/> for none.</summary>
    public Kind KindOf(ModelReference model, Kind unnamed)
    {
        if (model.IsEmpty)
        {
            return unnamed;
        }
        return repository.StatusOf(model.Name)?.Task switch
        {
            ModelConfig.TextGenerationTask => Kind.Generation,
            ModelConfig.EmbeddingTask => Kind.Embedding,
            null => throw new InferenceException(InferenceErrorReason.NotFound, $"Model '{model.Name}' is not in the repository."),
            var task => throw HttpDoorException.BadRequest($"Model '{model.Name}' is a {task} model; this door serves text-generation and embedding models."),
        };
    }

    /// <summary>True for no model (a default one serves) or a text-generation or embedding model.</summary>
    public bool ServesTexts(ModelReference model) =>
        model.IsEmpty || repository.StatusOf(model.Name)?.Task is ModelConfig.TextGenerationTask or ModelConfig.EmbeddingTask;

    /// <summary>
    /// Every prompt is submitted before any is awaited, so they decode in one batch; a refusal of any (a full queue)
    /// ends the others.
    /// </summary>
    public async Task<IReadOnlyList<GeneratedText>> GenerateAsync(ModelReference model, IReadOnlyList<string> prompts, RequestedParameters parameters,
        CancellationToken cancellationToken)
    {
        if (prompts.Count == 0)
        {
            throw HttpDoorException.BadRequest("Give at least one prompt.");
        }
        var streams = new List<GenerationStream>(prompts.Count);
        try
        {
            foreach (var prompt in prompts)
            {
                streams.Add(generator.Start(new GenerationRequest
                {
                    Model = model.Name,
                    Version = model.Version,
                    Prompt = prompt,
                    Parameters = parameters,
                }, cancellationToken));
            }
            return await Task.WhenAll(streams.Select(CollectAsync));
        }
        finally
        {
            foreach (var stream in streams) stream.Dispose();
        }
    }

    public Task<EmbeddingResult> EmbedAsync(ModelReference model, IReadOnlyList<string> texts, bool normalize, CancellationToken cancellationToken) =>
        embedder.EmbedAsync(model.Name, model.Version, texts, normalize, DateTime.MaxValue, cancellationToken);

    /// <summary>The whole text of a stream and its summary, for answers that are not streamed.</summary>
    public static async Task<GeneratedText> CollectAsync(GenerationStream stream)
    {
        var text = new StringBuilder();
        GenerationResult? result = null;
        await foreach (var step in stream)
        {
            text.Append(step.Text);
            result ??= step.Result;
        }
        return new GeneratedText(text.ToString(), result!);
    }
}
