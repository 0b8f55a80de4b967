namespace MlStack.Inference.Tokenization;

/// <summary>Text between added tokens (raw, as the user gave it) to ids: normalization, pre-tokenization, the model.</summary>
public interface ITextEncoder
{
    /// <param name="atStart">Whether the text begins where the whole input begins.</param>
    /// <param name="skipSpecial">Special added tokens found after normalization stay text.</param>
    void Encode(string text, bool atStart, bool skipSpecial, List<int> ids);
}
