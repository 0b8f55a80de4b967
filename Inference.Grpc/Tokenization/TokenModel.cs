namespace MlStack.Inference.Tokenization;

/// <summary>tokenizer.json's "model": one pre-tokenized word to token ids, and the vocabulary both ways.</summary>
public abstract class TokenModel
{
    public abstract void Encode(string word, List<int> ids);

    /// <summary>The token's string in the vocabulary; null for an id it does not have.</summary>
    public abstract string? IdToToken(int id);

    public abstract IReadOnlyDictionary<string, int> Vocabulary { get; }
}
