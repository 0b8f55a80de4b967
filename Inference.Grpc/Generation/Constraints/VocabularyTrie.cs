namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// The vocabulary's tokens as a trie over their decoded bytes, built once per tokenizer (lazily, on the first
/// constrained request) and walked with a grammar state to find every token that keeps the output valid: tokens that
/// share a prefix share the parser work for it. Special tokens are left out (they never appear in constrained text;
/// end-of-sequence is added by the masks where the value may end); added tokens that are not special (Qwen's
/// &lt;tool_call&gt;) are kept aside, allowed only inside a constraint's literal prefix or suffix.
/// </summary>
public sealed class VocabularyTrie
{
    // Node n's child edges are _edgeByte/_edgeChild[_edgeStart[n] .. _edgeStart[n + 1]); the tokens that end at n are
    // _tokens[_tokenStart[n] .. _tokenEnd[n]) (tokens sorted by their bytes end at a node as one run).
    private readonly int[] _edgeStart;
    private readonly byte[] _edgeByte;
    private readonly int[] _edgeChild;
    private readonly int[] _tokenStart;
    private readonly int[] _tokenEnd;
    private readonly int[] _tokens;
    private readonly byte[][] _bytes;

    public VocabularyTrie(ModelTokenizer tokenizer, int vocabularySize, IReadOnlySet<int> endOfSequence)
    {
        VocabularySize = vocabularySize;
        EndOfSequence = [.. endOfSequence.Where(id => (uint)id < (uint)vocabularySize).Order()];
        _bytes = new byte[vocabularySize][];
        var content = new List<int>();
        var added = new List<int>();
        var count = Math.Min(vocabularySize, tokenizer.Count);
        for (var id = 0; id < vocabularySize; id++)
        {
            _bytes[id] = id < count ? tokenizer.TokenBytes(id).ToArray() : [];
            if (id >= count || _bytes[id].Length == 0 || tokenizer.IsSpecial(id)) continue;
            (tokenizer.IsAdded(id) ? added : content).Add(id);
        }
        AddedTokens = [.. added];
        content.Sort((a, b) => _bytes[a].AsSpan().SequenceCompareTo(_bytes[b]) is var c && c != 0 ? c : a.CompareTo(b));
        _tokens = [.. content];
        MaxTokenBytes = content.Count == 0 ? 0 : content.Max(id => _bytes[id].Length);

        var edgeStart = new List<int>();
        var edgeBytes = new List<byte>();
        var edgeChildren = new List<int>();
        var tokenStart = new List<int>();
        var tokenEnd = new List<int>();
        // Breadth-first, so each node's edges are added together: (node, first token, end of tokens, depth).
        var queue = new Queue<(int Node, int Low, int High, int Depth)>();
        tokenStart.Add(0);
        tokenEnd.Add(0);
        edgeStart.Add(0);
        queue.Enqueue((0, 0, _tokens.Length, 0));
        var nodes = 1;
        while (queue.Count > 0)
        {
            var (node, low, high, depth) = queue.Dequeue();
            var at = low;
            while (at < high && _bytes[_tokens[at]].Length == depth) at++;
            tokenStart[node] = low;
            tokenEnd[node] = at;
            edgeStart[node] = edgeBytes.Count;
            while (at < high)
            {
                var b = _bytes[_tokens[at]][depth];
                var end = at;
                while (end < high && _bytes[_tokens[end]][depth] == b) end++;
                var child = nodes++;
                tokenStart.Add(0);
                tokenEnd.Add(0);
                edgeStart.Add(0);
                edgeBytes.Add(b);
                edgeChildren.Add(child);
                queue.Enqueue((child, at, end, depth + 1));
                at = end;
            }
        }
        // Nodes are numbered in the order they are dequeued, so node n's edges end where node n + 1's begin.
        edgeStart.Add(edgeBytes.Count);
        _edgeStart = [.. edgeStart];
        _edgeByte = [.. edgeBytes];
        _edgeChild = [.. edgeChildren];
        _tokenStart = [.. tokenStart];
        _tokenEnd = [.. tokenEnd];
        NodeCount = nodes;
    }

    /// <summary>Columns of the logits (may exceed the tokenizer's ids; those are never allowed).</summary>
    public int VocabularySize { get; }

    public int[] EndOfSequence { get; }

    /// <summary>Added tokens that are not special, by id.</summary>
    public int[] AddedTokens { get; }

    public int MaxTokenBytes { get; }

    public int NodeCount { get; }

    public int Root => 0;

    public ReadOnlySpan<byte> Bytes(int id) => (uint)id < (uint)_bytes.Length ? _bytes[id] : [];

    public int EdgeStart(int node) => _edgeStart[node];

    /// <summary>One past the node's last edge (the next node's first, numbered breadth-first).</summary>
    public int EdgeEnd(int node) => _edgeStart[node + 1];

    public byte EdgeByte(int edge) => _edgeByte[edge];

    public int EdgeChild(int edge) => _edgeChild[edge];

    /// <summary>
    /// For each byte position p of <paramref name="text"/> (and its end), the fewest tokens whose bytes write
    /// text[p..] (added tokens included): the shortest path over the positions, each token an edge. A position no token
    /// sequence reaches counts a token per byte left.
    /// </summary>
    public int[] FewestTokens(ReadOnlySpan<byte> text)
    {
        var fewest = new int[text.Length + 1];
        for (var p = text.Length - 1; p >= 0; p--)
        {
            var best = int.MaxValue;
            var node = Root;
            for (var depth = 1; p + depth <= text.Length; depth++)
            {
                var child = -1;
                for (int edge = EdgeStart(node), end = EdgeEnd(node); edge < end; edge++)
                {
                    if (EdgeByte(edge) == text[p + depth - 1])
                    {
                        child = EdgeChild(edge);
                        break;
                    }
                }
                if (child < 0) break;
                node = child;
                if (TokensAt(node).Length > 0 && fewest[p + depth] < int.MaxValue) best = Math.Min(best, 1 + fewest[p + depth]);
            }
            foreach (var id in AddedTokens)
            {
                if (text[p..].StartsWith(_bytes[id])) best = Math.Min(best, 1 + fewest[p + _bytes[id].Length]);
            }
            fewest[p] = best == int.MaxValue ? text.Length - p : best;
        }
        return fewest;
    }

    /// <summary>The ids of the tokens whose bytes end at <paramref name="node"/>.</summary>
    public ReadOnlySpan<int> TokensAt(int node) => _tokens.AsSpan(_tokenStart[node], _tokenEnd[node] - _tokenStart[node]);
}
