namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// One sequence's progress through its constraint: the grammar state after the tokens so far, and the mask for the
/// next token. Near the end of the token budget the mask keeps only tokens after which the output can still be
/// closed in the tokens left, so a max_tokens that leaves room for the value gives valid JSON; a smaller one ends
/// with finish reason length, as OpenAI does.
/// </summary>
public sealed class ConstrainedOutput(TokenMasks masks)
{
    public GrammarState State { get; private set; } = masks.Grammar.Initial;

    /// <summary>The prefix, value and suffix are written (nothing may follow but the end).</summary>
    public bool IsDone => State.IsDone;

    /// <summary>The tokens allowed next, when at most <paramref name="tokensLeftAfter"/> more may follow it.</summary>
    public TokenMask Next(int tokensLeftAfter)
    {
        var mask = masks.Within(State, tokensLeftAfter);
        // Nothing can finish in time (max_tokens too small for the value): stay valid as far as it goes.
        return mask.IsEmpty ? masks.For(State) : mask;
    }

    /// <summary>Moves past a generated token (end-of-sequence leaves the state as it is).</summary>
    public void Accept(int token)
    {
        if (Array.IndexOf(masks.Trie.EndOfSequence, token) >= 0) return;
        var next = State.Advance(masks.Trie.Bytes(token));
        if (!next.IsDead) State = next;
    }
}
