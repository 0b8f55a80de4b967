using System.Collections.Concurrent;

namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// Which tokens a grammar state allows, as a bit per logit column: the vocabulary trie walked with the state (a
/// subtree is left as soon as no parser stack survives its prefix). Masks are cached per state: the states a value
/// passes through repeat (the inside of a string, a number's digits, after ':' of the same property), so after the
/// first few tokens most steps cost a dictionary look-up. A mask also records the largest number of tokens any allowed
/// token leaves to write, so the budget check on a cached mask is one comparison.
/// </summary>
public sealed class TokenMasks(JsonGrammar grammar, VocabularyTrie trie, int capacity = TokenMasks.DefaultCapacity)
{
    /// <summary>Masks kept per grammar (each vocabulary/8 bytes: 19 KB for Qwen's 151,936 columns).</summary>
    public const int DefaultCapacity = 512;

    private readonly ConcurrentDictionary<GrammarState, TokenMask> _cache = new();

    public JsonGrammar Grammar => grammar;

    public VocabularyTrie Trie => trie;

    /// <summary>Masks computed (cache misses) and served from the cache, for the benchmark and tests.</summary>
    public long Computed => Interlocked.Read(ref _computed);

    public long Hits => Interlocked.Read(ref _hits);

    private long _computed;
    private long _hits;

    /// <summary>The tokens allowed in <paramref name="state"/> (cached).</summary>
    public TokenMask For(GrammarState state)
    {
        if (_cache.TryGetValue(state, out var mask))
        {
            Interlocked.Increment(ref _hits);
            return mask;
        }
        mask = Compute(state, budget: int.MaxValue);
        if (_cache.Count < capacity)
        {
            _cache.TryAdd(state, mask);
        }
        return mask;
    }

    /// <summary>
    /// The tokens allowed in <paramref name="state"/> after which the output can still be finished in
    /// <paramref name="tokensLeft"/> more tokens (the JSON value one byte each at worst: every byte is a token in the
    /// byte-level vocabularies served; the prefix and suffix in their fewest tokens). Not cached: it is asked for only
    /// at the end of a budget.
    /// </summary>
    public TokenMask Within(GrammarState state, int tokensLeft)
    {
        var mask = For(state);
        return mask.LongestFinish <= tokensLeft ? mask : Compute(state, tokensLeft);
    }

    private TokenMask Compute(GrammarState state, int budget)
    {
        Interlocked.Increment(ref _computed);
        var bits = new ulong[(trie.VocabularySize + 63) / 64];
        var walk = new Walk(trie, bits, budget);
        walk.Run(state.Stacks);

        foreach (var id in trie.AddedTokens)
        {
            // Whole only inside the prefix or suffix: an added token's text never belongs in the JSON.
            var bytes = trie.Bytes(id);
            var inText = true;
            foreach (var stack in state.Stacks)
            {
                inText &= stack.Top is TextFrame t && t.Text.Length - t.Position >= bytes.Length;
            }
            if (inText)
            {
                var after = state.Advance(bytes);
                var finish = after.MinTokensToFinish;
                if (!after.IsDead && finish <= budget)
                {
                    bits[id >> 6] |= 1UL << id;
                    walk.Longest = Math.Max(walk.Longest, finish);
                }
            }
        }
        if (state.CanFinish)
        {
            foreach (var id in trie.EndOfSequence) bits[id >> 6] |= 1UL << id;
        }
        return new TokenMask(bits, walk.Longest);
    }

    /// <summary>One depth-first walk of the trie; each depth keeps its list of surviving stacks (no allocation per node beyond the stacks).</summary>
    private sealed class Walk(VocabularyTrie trie, ulong[] bits, int budget)
    {
        private readonly List<GrammarStack>[] _levels = [.. Enumerable.Range(0, trie.MaxTokenBytes + 2).Select(_ => new List<GrammarStack>())];

        // Inside a string most bytes leave the stack as it is (the same object), so the bytes-to-finish of a stack
        // are looked up by reference instead of recomputed at each of the trie's ~330k nodes.
        private readonly Dictionary<GrammarStack, int> _finish = new(ReferenceEqualityComparer.Instance);

        public int Longest;

        public void Run(IReadOnlyList<GrammarStack> stacks)
        {
            _levels[0].Clear();
            _levels[0].AddRange(stacks);
            Visit(trie.Root, 0);
        }

        private void Visit(int node, int depth)
        {
            var current = _levels[depth];
            var next = _levels[depth + 1];
            for (int edge = trie.EdgeStart(node), end = trie.EdgeEnd(node); edge < end; edge++)
            {
                next.Clear();
                var b = trie.EdgeByte(edge);
                foreach (var stack in current) JsonGrammar.Step(stack, b, next);
                if (next.Count == 0) continue;
                if (next.Count > 1) GrammarState.Deduplicate(next);
                var child = trie.EdgeChild(edge);
                var tokens = trie.TokensAt(child);
                if (tokens.Length > 0)
                {
                    var finish = int.MaxValue;
                    foreach (var stack in next) finish = Math.Min(finish, Finish(stack));
                    if (finish <= budget)
                    {
                        Longest = Math.Max(Longest, finish);
                        foreach (var id in tokens) bits[id >> 6] |= 1UL << id;
                    }
                }
                Visit(child, depth + 1);
            }
        }

        private int Finish(GrammarStack stack)
        {
            if (!_finish.TryGetValue(stack, out var finish))
            {
                _finish[stack] = finish = JsonGrammar.MinTokensToFinish(stack);
            }
            return finish;
        }
    }
}

/// <summary>
/// The allowed tokens of one state (bit id of <see cref="Bits"/>), and the most tokens any of them leaves to write
/// before the output may end.
/// </summary>
public sealed record TokenMask(ulong[] Bits, int LongestFinish)
{
    public bool Allows(int id) => (uint)(id >> 6) < (uint)Bits.Length && (Bits[id >> 6] & (1UL << id)) != 0;

    public bool IsEmpty => Array.TrueForAll(Bits, w => w == 0);
}
