using System.Diagnostics;
using Microsoft.Extensions.Options;
using MlStack.Inference.Repository;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// The one entry point of embeddings, whatever the door (the gRPC Embeddings service, the OpenAI, SageMaker and Vertex
/// HTTP doors): texts are tokenized on the caller's thread, queued to the model's text batcher (merged with other
/// requests' texts into one padded run) and mean-pooled; long texts are cut to the model's limit and flagged. Failures
/// are InferenceExceptions with a precise reason, counted in the serving metrics like every request.
/// </summary>
public sealed class TextEmbedder(ModelRepository repository, InferenceMetrics metrics, IOptions<ModelRepositoryOptions> options,
    RequestMemoryBudget budget, ILogger<TextEmbedder> logger)
{
    /// <summary>The model a request that names none gets (ModelRepository:DefaultEmbeddingModel).</summary>
    public string DefaultModel => options.Value.DefaultEmbeddingModel;

    /// <param name="deadline">When the caller stops waiting (gRPC's deadline); DateTime.MaxValue for none.</param>
    /// <param name="promptName">A prompt of the model's config_sentence_transformers.json ("query", "document") put before each
    /// text, as sentence-transformers' encode(prompt_name=) does; null: the model's default prompt, if it has one.</param>
    public async Task<EmbeddingResult> EmbedAsync(string? model, string? version, IReadOnlyList<string> texts, bool normalize,
        DateTime deadline, CancellationToken cancellationToken, string? promptName = null)
    {
        var started = Stopwatch.GetTimestamp();
        var name = string.IsNullOrEmpty(model) ? DefaultModel : model;
        // Labels only name models that exist: free-form names from bad requests would grow the series without bound.
        string label = "", versionLabel = "";
        try
        {
            var served = repository.Resolve<IEmbeddingModel>(name, version, "embeddings are served by embedding models; use text generation for it");
            (label, versionLabel) = (served.Name, served.VersionText);
            if (served.Texts is null || served.Tokenizer is null)
                throw new InferenceException(InferenceErrorReason.InvalidArgument,
                    $"Model '{name}' is a {served.Config.Task} model, not an embedding model; use ModelInfer.");
            if (texts.Count == 0)
                throw new InferenceException(InferenceErrorReason.InvalidArgument, "texts is empty: give at least one text.");
            // Refused before any text is tokenized: the cost of a call is decided by its count and the model's limits.
            var maxTexts = options.Value.MaxEmbedTexts;
            if (texts.Count > maxTexts)
                throw new InferenceException(InferenceErrorReason.InvalidArgument,
                    $"texts has {texts.Count} entries; one call takes at most {maxTexts} (ModelRepository:MaxEmbedTexts): split it into several calls.");
            // What the call holds until it answers: every text's token ids at the model's longest, and its vector.
            using var reservation = budget.Reserve(
                (long)texts.Count * (served.Tokenizer.MaxSequenceLength * sizeof(long) + served.Dimensions * sizeof(float)));

            var prompt = PromptOf(served, promptName);
            var tokenized = new TokenizedText[texts.Count];
            for (var i = 0; i < tokenized.Length; i++) tokenized[i] = served.Tokenizer.Tokenize(prompt + texts[i]);
            // A folder with a Normalize module always gives unit vectors, as sentence-transformers does.
            normalize |= served.SentenceTransformers?.Normalize == true;

            var embedded = await EmbeddingParts.EmbedAsync(served.Texts, tokenized, cancellationToken);
            var vectors = new List<EmbeddedText>(texts.Count);
            for (var i = 0; i < embedded.Length; i++)
            {
                if (normalize) EmbeddingRunner.Normalize(embedded[i]);
                vectors.Add(new EmbeddedText(embedded[i], tokenized[i].Ids.Length, tokenized[i].Truncated));
            }
            metrics.RequestSucceeded(served.Name, served.VersionText, Stopwatch.GetElapsedTime(started));
            return new EmbeddingResult(served.Name, served.VersionText, served.Dimensions, vectors);
        }
        catch (Exception error)
        {
            var status = ServingErrors.Classify(error, name, deadline, logger);
            metrics.RequestFailed(label, versionLabel, status.Reason);
            throw status;
        }
    }

    private static string PromptOf(IEmbeddingModel served, string? promptName)
    {
        var folder = served.SentenceTransformers;
        var name = string.IsNullOrEmpty(promptName) ? folder?.DefaultPromptName : promptName;
        if (name is null) return "";
        if (folder is null || !folder.Prompts.TryGetValue(name, out var prompt))
        {
            var known = folder is null || folder.Prompts.Count == 0 ? "none" : string.Join(", ", folder.Prompts.Keys);
            throw InferenceException.Invalid(
                $"Model '{served.Name}' has no prompt named '{ServingErrors.Shorten(name)}' (its config_sentence_transformers.json prompts: {known}).");
        }
        return prompt;
    }
}


/// <summary>The vectors of one request, in the order of its texts, and the model version that made them.</summary>
public sealed record EmbeddingResult(string Model, string Version, int Dimensions, IReadOnlyList<EmbeddedText> Embeddings)
{
    /// <summary>Tokens the model saw for the whole request, special tokens included.</summary>
    public int TokenCount => Embeddings.Sum(e => e.TokenCount);
}

/// <summary>One text's vector, the tokens the model saw (special tokens included) and whether the text was cut.</summary>
public sealed record EmbeddedText(float[] Vector, int TokenCount, bool Truncated);
