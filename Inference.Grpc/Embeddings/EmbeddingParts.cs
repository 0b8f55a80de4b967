using MlStack.Inference.Batching;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// One request's texts queued as parts, each part one queued work. With a token budget the texts are sorted by
/// length and cut where the budget would (<see cref="TokenBudget.Split"/>), so a request's long texts do not pad its
/// short ones; otherwise parts are max_batch_size texts in order. Parts may run in different batches.
/// </summary>
public static class EmbeddingParts
{
    /// <summary>One vector per text, in the order of <paramref name="texts"/> (not normalised).</summary>
    public static async Task<float[][]> EmbedAsync(DynamicBatcher<EmbeddingWork, float[][]> queue, IReadOnlyList<TokenizedText> texts,
        CancellationToken cancellationToken)
    {
        var settings = queue.Settings;
        var parts = settings.ByTokens
            ? TokenBudget.Split([.. texts.Select(t => t.Ids.Length)], settings)
            : [.. Enumerable.Range(0, texts.Count).Chunk(settings.MaxBatchSize)];
        var pending = new Task<float[][]>[parts.Count];
        for (var p = 0; p < parts.Count; p++)
        {
            pending[p] = queue.EnqueueAsync(new EmbeddingWork([.. parts[p].Select(i => texts[i].Ids)], cancellationToken));
        }

        var vectors = new float[texts.Count][];
        for (var p = 0; p < parts.Count; p++)
        {
            var part = await pending[p];
            for (var r = 0; r < part.Length; r++) vectors[parts[p][r]] = part[r];
        }
        return vectors;
    }
}
