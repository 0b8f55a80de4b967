using System.Text;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// A tokenizer read from tokenizer.json, run as the HuggingFace library runs it: added tokens first (normalized=false
/// ones in the raw text), then each remaining piece through <see cref="ITextEncoder"/>, then the post-processor.
/// </summary>
public sealed class TokenizerPipeline
{
    private readonly ITextEncoder _encoder;
    private readonly TokenModel _model;
    private readonly AddedVocabulary _rawAdded;
    private readonly Dictionary<int, AddedToken> _addedById;
    private readonly TokenDecoder? _decoder;
    private readonly byte[][] _tokenBytes;

    public TokenizerPipeline(ITextEncoder encoder, TokenModel model, IReadOnlyList<AddedToken> added, PostProcessor post, TokenDecoder? decoder)
    {
        _encoder = encoder;
        _model = model;
        _rawAdded = new AddedVocabulary(added.Where(t => !t.Normalized));
        _addedById = added.GroupBy(t => t.Id).ToDictionary(g => g.Key, g => g.Last());
        PostProcessor = post;
        _decoder = decoder;
        SpecialTokens = added.Where(t => t.Special).GroupBy(t => t.Content).ToDictionary(g => g.Key, g => g.Last().Id, StringComparer.Ordinal);
        var size = Math.Max(model.Vocabulary.Values.DefaultIfEmpty(-1).Max(), _addedById.Keys.DefaultIfEmpty(-1).Max()) + 1;
        _tokenBytes = new byte[size][];
        for (var id = 0; id < size; id++)
        {
            _tokenBytes[id] = IdToToken(id) is { } token ? decoder?.TokenBytes(token) ?? Encoding.UTF8.GetBytes(token) : [];
        }
    }

    /// <summary>What a single sequence gets around it when special tokens are added (BOS, [CLS]/[SEP]).</summary>
    public PostProcessor PostProcessor { get; private set; }

    /// <summary>Added tokens marked special, by their text.</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>One past the highest token id.</summary>
    public int Count => _tokenBytes.Length;

    /// <summary>The same tokenizer with another post-processor (tokenizer_config.json's add_bos_token).</summary>
    public TokenizerPipeline WithPostProcessor(PostProcessor post)
    {
        PostProcessor = post;
        return this;
    }

    /// <param name="addSpecialTokens">The post-processor's tokens around the text (transformers' add_special_tokens).</param>
    /// <param name="splitSpecial">Whether text that spells a special token becomes that token (a raw prompt), or stays
    /// text (chat content; the library's encode_special_tokens).</param>
    public List<int> Encode(string text, bool addSpecialTokens, bool splitSpecial = true)
    {
        var ids = new List<int>();
        foreach (var (start, length, token) in _rawAdded.Split(text, skipSpecial: !splitSpecial))
        {
            if (token is not null) ids.Add(token.Id);
            else _encoder.Encode(text.Substring(start, length), start == 0, !splitSpecial, ids);
        }
        return addSpecialTokens ? PostProcessor.Apply(ids) : ids;
    }

    /// <summary>Where a text spells special tokens (with the white space lstrip/rstrip take), as encoding finds them.</summary>
    public IEnumerable<(int Index, int Length, int Id)> FindSpecialTokens(string text) =>
        _rawAdded.Split(text, skipSpecial: false).Where(p => p.Token is { Special: true }).Select(p => (p.Start, p.Length, p.Token!.Id));

    public bool IsSpecial(int id) => _addedById.TryGetValue(id, out var token) && token.Special;

    /// <summary>An added token (special or not): text the model writes whole, never inside other text.</summary>
    public bool IsAdded(int id) => _addedById.ContainsKey(id);

    public string? IdToToken(int id) => _addedById.TryGetValue(id, out var token) ? token.Content : _model.IdToToken(id);

    /// <summary>The bytes one token stands for, for streaming (see <see cref="TokenDecoder.TokenBytes"/>).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) => (uint)id < (uint)_tokenBytes.Length ? _tokenBytes[id] : [];

    /// <summary>As the library decodes: token strings (special ones skipped if asked) through the decoder chain.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens)
    {
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && IsSpecial(id)) continue;
            if (IdToToken(id) is { } token) tokens.Add(token);
        }
        return _decoder is null ? string.Join(' ', tokens) : _decoder.Decode(tokens);
    }
}
