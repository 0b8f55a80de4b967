namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// One level of the JSON parser's stack (<see cref="GrammarStack"/>): what the innermost unfinished value still expects.
/// Records, so two stacks in the same situation are equal and share a cached token mask.
/// </summary>
public abstract record GrammarFrame;

/// <summary>The end: the prefix, the value and the suffix are written; only end-of-sequence may follow.</summary>
public sealed record EndFrame : GrammarFrame
{
    public static readonly EndFrame Instance = new();
}

/// <summary>
/// Fixed text (the constraint's prefix or suffix), <see cref="Position"/> bytes of it written. <see cref="TokensLeft"/>[p]
/// is the fewest tokens that write the text from byte p on (one entry per byte, and 0 at the end): the budget counts
/// the text in tokens, since one added token (Qwen's &lt;/tool_call&gt;) or a few BPE pieces write what bytes would
/// overstate many times over.
/// </summary>
public sealed record TextFrame(byte[] Text, int Position, int[] TokensLeft) : GrammarFrame;

/// <summary>A value of <see cref="Node"/> is due; <see cref="SpaceAllowed"/>: one space may come first (after ':' or ',').</summary>
public sealed record ValueFrame(GrammarNode Node, bool SpaceAllowed) : GrammarFrame;

public enum ObjectPhase : byte
{
    /// <summary>After '{': a key or '}'.</summary>
    Open,
    /// <summary>After ',': a key (one space may come first).</summary>
    Key,
    /// <summary>After ', ': a key.</summary>
    KeyAfterSpace,
    /// <summary>After a key: ':'.</summary>
    Colon,
    /// <summary>After a member's value: ',' or '}'.</summary>
    AfterValue,
}

/// <summary>An object of declared properties; <see cref="Next"/>: the first property that may still come (at Colon: the one whose key was written).</summary>
public sealed record ObjectFrame(ObjectNode Node, ObjectPhase Phase, int Next) : GrammarFrame;

/// <summary>
/// A declared key being written: <see cref="Position"/> bytes of it, matching <see cref="Chosen"/> (and any other
/// candidate from <see cref="From"/> up to the first required property that shares those bytes).
/// </summary>
public sealed record KeyFrame(ObjectNode Node, int From, int Position, int Chosen) : GrammarFrame;

/// <summary>Any object (json_object): keys are any strings, values any JSON.</summary>
public sealed record AnyObjectFrame(ObjectPhase Phase) : GrammarFrame;

/// <summary>An array after '[' (<see cref="Open"/>) or after one of its items.</summary>
public sealed record ArrayFrame(ArrayNode Node, bool Open) : GrammarFrame;

/// <summary>
/// Inside a string: <see cref="Pending"/> UTF-8 continuation bytes still due; <see cref="Escape"/> 0 none, 1 after '\',
/// 2-5 the \u escape's hex digits 1-4 due, 6 the second hex digit after \uD (0-7: a character, 8-B: a high
/// surrogate), 7-8 a high surrogate's last two hex digits, 9-14 the low surrogate it needs ('\', 'u', 'D', C-F, two
/// hex digits). So an escape never leaves a lone surrogate, which JSON parsers refuse.
/// </summary>
public sealed record StringFrame(byte Pending, byte Escape) : GrammarFrame
{
    public const int EscapeStates = 15;

    private static readonly StringFrame[] Shared =
        [.. Enumerable.Range(0, 4 * EscapeStates).Select(i => new StringFrame((byte)(i / EscapeStates), (byte)(i % EscapeStates)))];

    /// <summary>Bytes an escape still needs, by <see cref="Escape"/>.</summary>
    public static readonly int[] EscapeRest = [0, 1, 4, 3, 2, 1, 3, 8, 7, 6, 5, 4, 3, 2, 1];

    /// <summary>The one instance per state (a string's inside is walked for most of the vocabulary: no allocation there).</summary>
    public static StringFrame Of(int pending, int escape) => Shared[pending * EscapeStates + escape];
}

public enum NumberPhase : byte
{
    Minus,
    Zero,
    Integer,
    Dot,
    Fraction,
    Exponent,
    ExponentSign,
    ExponentDigits,
}

/// <summary>A number being written, <see cref="Digits"/> digits into its current part (parts are bounded: see <see cref="JsonGrammar"/>).</summary>
public sealed record NumberFrame(bool Integer, NumberPhase Phase, int Digits) : GrammarFrame;

/// <summary>A literal (true, false, null, an enum or const value): <see cref="Position"/> bytes written, matching alternative <see cref="Chosen"/>.</summary>
public sealed record LiteralFrame(LiteralNode Node, int Position, int Chosen) : GrammarFrame;
