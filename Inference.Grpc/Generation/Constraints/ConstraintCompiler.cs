namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// A model's constrained decoding: its vocabulary trie, built on the first constrained request and kept with the model,
/// and the last <see cref="KeptGrammars"/> compiled constraints with their cached masks (agents send the same schema
/// and tools over and over, so their masks are reused across requests).
/// </summary>
public sealed class ConstraintCompiler
{
    public const int KeptGrammars = 16;

    private readonly Lazy<VocabularyTrie> _trie;
    private readonly Dictionary<string, LinkedListNode<(string Key, TokenMasks Masks)>> _byKey = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, TokenMasks Masks)> _recent = new();
    private readonly Lock _gate = new();

    public ConstraintCompiler(ModelTokenizer tokenizer, int vocabularySize, IReadOnlySet<int> endOfSequence)
    {
        _trie = new Lazy<VocabularyTrie>(() => new VocabularyTrie(tokenizer, vocabularySize, endOfSequence), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public VocabularyTrie Trie => _trie.Value;

    /// <summary>The masks of a constraint; a schema outside the subset is INVALID_ARGUMENT naming the keyword.</summary>
    public TokenMasks Compile(OutputConstraint constraint)
    {
        var key = $"{constraint.Strict}\u0001{constraint.Prefix}\u0001{constraint.Suffix}\u0001{constraint.Schema?.GetRawText()}";
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var kept))
            {
                _recent.Remove(kept);
                _recent.AddFirst(kept);
                return kept.Value.Masks;
            }
        }
        var masks = new TokenMasks(new JsonGrammar(constraint, Trie), Trie);
        lock (_gate)
        {
            if (!_byKey.ContainsKey(key))
            {
                _byKey[key] = _recent.AddFirst((key, masks));
                if (_recent.Count > KeptGrammars)
                {
                    _byKey.Remove(_recent.Last!.Value.Key);
                    _recent.RemoveLast();
                }
            }
        }
        return masks;
    }
}
