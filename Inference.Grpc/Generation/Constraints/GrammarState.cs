namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// Where the output stands in its grammar: the parser stacks the bytes so far allow (usually one; anyOf may keep
/// several until a byte decides). Immutable and compared as a set, so it is the key of cached token masks.
/// </summary>
public sealed class GrammarState : IEquatable<GrammarState>
{
    private readonly int _hash;

    public GrammarState(IReadOnlyList<GrammarStack> stacks)
    {
        Stacks = [.. stacks];
        foreach (var stack in Stacks) _hash ^= stack.GetHashCode(); // order-free, as the equality
    }

    public GrammarStack[] Stacks { get; }

    /// <summary>No stack survived: the bytes left the grammar.</summary>
    public bool IsDead => Stacks.Length == 0;

    /// <summary>The prefix, value and suffix are all written: nothing but the end may follow.</summary>
    public bool IsDone => Stacks.Length > 0 && Array.TrueForAll(Stacks, s => s.Top is EndFrame);

    public bool CanFinish => Array.Exists(Stacks, JsonGrammar.CanFinish);

    public int MinTokensToFinish => Stacks.Length == 0 ? int.MaxValue : Stacks.Min(JsonGrammar.MinTokensToFinish);

    /// <summary>The state after <paramref name="bytes"/>; <see cref="IsDead"/> when they leave the grammar.</summary>
    public GrammarState Advance(ReadOnlySpan<byte> bytes)
    {
        var current = new List<GrammarStack>(Stacks);
        var next = new List<GrammarStack>();
        foreach (var b in bytes)
        {
            next.Clear();
            foreach (var stack in current) JsonGrammar.Step(stack, b, next);
            Deduplicate(next);
            (current, next) = (next, current);
            if (current.Count == 0) break;
        }
        return new GrammarState(current);
    }

    /// <summary>Removes repeated stacks (anyOf options that met again), keeping the first of each.</summary>
    public static void Deduplicate(List<GrammarStack> stacks)
    {
        for (var i = stacks.Count - 1; i > 0; i--)
        {
            for (var j = 0; j < i; j++)
            {
                if (stacks[i].Equals(stacks[j]))
                {
                    stacks.RemoveAt(i);
                    break;
                }
            }
        }
    }

    public bool Equals(GrammarState? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other._hash != _hash || other.Stacks.Length != Stacks.Length) return false;
        foreach (var stack in Stacks)
        {
            if (Array.IndexOf(other.Stacks, stack) < 0) return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is GrammarState other && Equals(other);

    public override int GetHashCode() => _hash;
}
