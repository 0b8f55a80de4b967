using MlStack.Inference.Batching;
using MlStack.Inference.Repository;

namespace MlStack.Inference.Embeddings;

/// <summary>
/// A loaded model as the embedding entry point sees it: its text queue, tokenizer and vector length. The tensor
/// engine's ServableModel is one; the interface lives here so that embeddings need not know the tensor engine.
/// </summary>
public interface IEmbeddingModel : ILoadedModel
{
    /// <summary>Embedding models only: the queue that tokenized texts are batched in.</summary>
    DynamicBatcher<EmbeddingWork, float[][]>? Texts { get; }

    /// <summary>Embedding models only.</summary>
    EmbeddingTokenizer? Tokenizer { get; }

    /// <summary>Vector length (hidden size).</summary>
    int Dimensions { get; }

    BatchingSettings Batching { get; }
}
