using System.Text;
using MlStack.Inference.Tokenization;

namespace MlStack.Inference.Generation;

/// <summary>
/// A generation model's tokenizer, from its folder: tokenizer.json when there is one (every family on the hub ships it;
/// see <see cref="TokenizerJson"/>), otherwise GPT-2's vocab.json + merges.txt (<see cref="Gpt2FilesTokenizer"/>).
/// Decoding maps tokens back to raw bytes so the stream can hold back unfinished UTF-8 characters.
/// </summary>
public sealed class ModelTokenizer
{
    private readonly TokenizerPipeline? _pipeline;
    private readonly Gpt2FilesTokenizer? _files;

    private ModelTokenizer(TokenizerPipeline pipeline)
    {
        _pipeline = pipeline;
        SpecialTokens = pipeline.SpecialTokens;
        Count = pipeline.Count;
    }

    private ModelTokenizer(Gpt2FilesTokenizer files)
    {
        _files = files;
        SpecialTokens = files.SpecialTokens;
        Count = files.TokenBytes.Length;
    }

    public IReadOnlyDictionary<string, int> SpecialTokens { get; }

    /// <summary>One past the highest token id the tokenizer knows.</summary>
    public int Count { get; }

    /// <summary>
    /// Loads the folder's tokenizer. A tokenizer.json component this server does not implement exactly fails the load
    /// with one line naming it (an <see cref="InvalidDataException"/>): the model fails alone, nothing is approximated.
    /// </summary>
    public static ModelTokenizer Load(string directory)
    {
        if (File.Exists(Path.Combine(directory, TokenizerJson.FileName)))
        {
            return new ModelTokenizer(TokenizerJson.Load(directory));
        }
        if (Gpt2FilesTokenizer.CanLoad(directory))
        {
            return new ModelTokenizer(Gpt2FilesTokenizer.Load(directory));
        }
        throw new InvalidDataException(
            $"'{directory}' has no tokenizer.json (nor GPT-2's vocab.json + merges.txt): export the model with its tokenizer.");
    }

    /// <summary>Where a text spells the special tokens (a chat template's own text), in order.</summary>
    public IEnumerable<(int Index, int Length, int Id)> FindSpecialTokens(string text) =>
        _pipeline is not null ? _pipeline.FindSpecialTokens(text) : _files!.FindSpecialTokens(text);

    /// <summary>
    /// A raw prompt as transformers encodes it: spelled special tokens are control tokens, and the post-processor's
    /// tokens (a BOS) are added.
    /// </summary>
    public IReadOnlyList<int> Encode(string text) => Encode(text, specialTokens: true, int.MaxValue, out _);

    /// <summary>
    /// Encodes at most <paramref name="maxTokens"/> tokens (a prompt far over the context is not kept in full);
    /// <paramref name="complete"/> says whether the whole text fitted. With <paramref name="specialTokens"/> off the text
    /// is content: what spells a special token stays text and no BOS is added.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool specialTokens, int maxTokens, out bool complete)
    {
        if (_files is not null) return _files.Encode(text, specialTokens, maxTokens, out complete);
        var ids = _pipeline!.Encode(text, addSpecialTokens: specialTokens, splitSpecial: specialTokens);
        complete = ids.Count <= maxTokens;
        if (!complete) ids.RemoveRange(maxTokens, ids.Count - maxTokens);
        return ids;
    }

    public bool IsSpecial(int id) =>
        _pipeline?.IsSpecial(id) ?? ((uint)id < (uint)_files!.IsSpecial.Length && _files.IsSpecial[id]);

    /// <summary>An added token (tokenizer.json's added_tokens; GPT-2's files mark only special ones).</summary>
    public bool IsAdded(int id) => _pipeline?.IsAdded(id) ?? IsSpecial(id);

    /// <summary>The raw bytes a token stands for (a special token: its text).</summary>
    public ReadOnlySpan<byte> TokenBytes(int id) =>
        _pipeline is not null ? _pipeline.TokenBytes(id)
        : (uint)id < (uint)_files!.TokenBytes.Length && _files.TokenBytes[id] is { } bytes ? bytes : [];

    /// <summary>A token as its tokenizer.json vocabulary spells it ("Ġhello", "▁hello", "##lo"); null for GPT-2's vocab.json files.</summary>
    public string? TokenString(int id) => _pipeline?.IdToToken(id);

    /// <summary>Whole-sequence decoding, skipping special tokens (tokenizer.json's decoder where there is one).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        if (_pipeline is not null) return _pipeline.Decode(ids, skipSpecialTokens: true);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (!IsSpecial(id)) bytes.AddRange(TokenBytes(id).ToArray());
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
