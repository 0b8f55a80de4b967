namespace MlStack.Inference.Tokenization;

/// <summary>
/// The library's pipeline for a piece of raw text: normalize it, find the added tokens that match normalized text,
/// pre-tokenize the rest into words, and encode each word with the model.
/// </summary>
public sealed class PieceEncoder(TextNormalizer? normalizer, PreTokenizer? preTokenizer, TokenModel model, IEnumerable<AddedToken> added)
    : ITextEncoder
{
    private readonly AddedVocabulary _normalizedAdded = new(added.Where(t => t.Normalized));

    public void Encode(string text, bool atStart, bool skipSpecial, List<int> ids)
    {
        var normalized = normalizer?.Normalize(text) ?? text;
        var words = new List<Piece>();
        foreach (var (start, length, token) in _normalizedAdded.Split(normalized, skipSpecial))
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }
            var part = normalized.Substring(start, length);
            var partAtStart = atStart && start == 0;
            if (preTokenizer is null)
            {
                model.Encode(part, ids);
                continue;
            }
            words.Clear();
            preTokenizer.Split(part, partAtStart, words);
            foreach (var word in words) model.Encode(word.Text, ids);
        }
    }
}
