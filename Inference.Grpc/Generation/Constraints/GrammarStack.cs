namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// The parser's stack as an immutable list (innermost frame on top), so a token trie walk can branch from one state
/// without copying, and equal stacks compare equal (the hash is computed once, at construction).
/// </summary>
public sealed class GrammarStack : IEquatable<GrammarStack>
{
    private readonly int _hash;

    public GrammarStack(GrammarFrame top, GrammarStack? below)
    {
        Top = top;
        Below = below;
        _hash = HashCode.Combine(top, below?._hash ?? 0);
    }

    public GrammarFrame Top { get; }

    public GrammarStack? Below { get; }

    public GrammarStack Replace(GrammarFrame top) => new(top, Below);

    public GrammarStack Push(GrammarFrame top) => new(top, this);

    public bool Equals(GrammarStack? other)
    {
        var a = this;
        var b = other;
        while (true)
        {
            if (ReferenceEquals(a, b)) return true;
            if (a is null || b is null || a._hash != b._hash || !a.Top.Equals(b.Top)) return false;
            a = a.Below;
            b = b.Below;
        }
    }

    public override bool Equals(object? obj) => obj is GrammarStack other && Equals(other);

    public override int GetHashCode() => _hash;
}
