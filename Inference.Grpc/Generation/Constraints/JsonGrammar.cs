using System.Text;

namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// An <see cref="OutputConstraint"/> compiled: a byte-level pushdown parser for prefix, one JSON value of the schema,
/// suffix. <see cref="Step"/> feeds one byte to one stack; a <see cref="GrammarState"/> is the set of stacks the
/// bytes so far allow (anyOf keeps several). The JSON it accepts is compact apart from one optional space after ':'
/// and ',': unbounded white space would let a weak model spend its whole budget on blanks. Number parts are bounded
/// (<see cref="MaxIntegerDigits"/>, <see cref="MaxFractionDigits"/>, <see cref="MaxExponentDigits"/>) for the same reason.
/// The grammar is ours: no library served here (JsonSchema.Net validates documents; it has no incremental byte-level
/// parser, and none does token masks for ONNX Runtime decoding in .NET).
/// </summary>
public sealed class JsonGrammar
{
    public const int MaxIntegerDigits = 18, MaxFractionDigits = 15, MaxExponentDigits = 3;

    /// <param name="trie">The vocabulary, to count the prefix and suffix in the fewest tokens that write them; null: a token per byte.</param>
    public JsonGrammar(OutputConstraint constraint, VocabularyTrie? trie = null)
    {
        Root = SchemaCompiler.Compile(constraint.Schema, constraint.Strict);
        var prefix = Encoding.UTF8.GetBytes(constraint.Prefix);
        var suffix = Encoding.UTF8.GetBytes(constraint.Suffix);
        var stack = new GrammarStack(EndFrame.Instance, null);
        if (suffix.Length > 0) stack = stack.Push(new TextFrame(suffix, 0, TokensLeft(suffix, trie)));
        stack = stack.Push(new ValueFrame(Root, SpaceAllowed: false));
        if (prefix.Length > 0) stack = stack.Push(new TextFrame(prefix, 0, TokensLeft(prefix, trie)));
        Initial = new GrammarState([stack]);
    }

    public GrammarNode Root { get; }

    private static int[] TokensLeft(byte[] text, VocabularyTrie? trie) =>
        trie?.FewestTokens(text) ?? [.. Enumerable.Range(0, text.Length + 1).Select(p => text.Length - p)];

    /// <summary>Before the first byte.</summary>
    public GrammarState Initial { get; }

    /// <summary>Appends to <paramref name="output"/> every stack that <paramref name="stack"/> becomes after <paramref name="b"/>.</summary>
    public static void Step(GrammarStack stack, byte b, List<GrammarStack> output)
    {
        switch (stack.Top)
        {
            case TextFrame text:
                if (text.Text[text.Position] == b)
                {
                    output.Add(text.Position + 1 == text.Text.Length ? stack.Below! : stack.Replace(text with { Position = text.Position + 1 }));
                }
                return;
            case ValueFrame value:
                if (b == ' ' && value.SpaceAllowed)
                {
                    output.Add(stack.Replace(value with { SpaceAllowed = false }));
                    return;
                }
                StartValue(value.Node, stack.Below!, b, output);
                return;
            case StringFrame s:
                StepString(stack, s, b, output);
                return;
            case NumberFrame number:
                StepNumber(stack, number, b, output);
                return;
            case LiteralFrame literal:
                StepLiteral(stack, literal, b, output);
                return;
            case ObjectFrame o:
                StepObject(stack, o, b, output);
                return;
            case KeyFrame key:
                StepKey(stack, key, b, output);
                return;
            case AnyObjectFrame any:
                StepAnyObject(stack, any, b, output);
                return;
            case ArrayFrame array:
                if (b == ']')
                {
                    output.Add(stack.Below!);
                }
                else if (array.Open)
                {
                    StartValue(array.Node.Items, stack.Replace(new ArrayFrame(array.Node, Open: false)), b, output);
                }
                else if (b == ',')
                {
                    output.Add(stack.Push(new ValueFrame(array.Node.Items, SpaceAllowed: true)));
                }
                return;
        }
    }

    /// <summary>The first byte of a value of <paramref name="node"/>, on top of <paramref name="below"/>.</summary>
    private static void StartValue(GrammarNode node, GrammarStack below, byte b, List<GrammarStack> output)
    {
        switch (node)
        {
            case RefNode reference:
                StartValue(reference.Target, below, b, output);
                return;
            case AnyOfNode anyOf:
                foreach (var option in anyOf.Options) StartValue(option, below, b, output);
                return;
            case ObjectNode o:
                if (b == '{') output.Add(below.Push(new ObjectFrame(o, ObjectPhase.Open, 0)));
                return;
            case AnyObjectNode:
                if (b == '{') output.Add(below.Push(new AnyObjectFrame(ObjectPhase.Open)));
                return;
            case ArrayNode array:
                if (b == '[') output.Add(below.Push(new ArrayFrame(array, Open: true)));
                return;
            case StringNode:
                if (b == '"') output.Add(below.Push(StringFrame.Of(0, 0)));
                return;
            case NumberNode number:
                StartNumber(number.Integer, below, b, output);
                return;
            case LiteralNode literal:
                StepLiteral(below, new LiteralFrame(literal, 0, 0), b, output, pushed: false);
                return;
            case AnyValueNode:
                if (b == '{') output.Add(below.Push(new AnyObjectFrame(ObjectPhase.Open)));
                else if (b == '[') output.Add(below.Push(new ArrayFrame(AnyArray, Open: true)));
                else if (b == '"') output.Add(below.Push(StringFrame.Of(0, 0)));
                else if (b is (byte)'t' or (byte)'f' or (byte)'n') StepLiteral(below, new LiteralFrame(Keywords, 0, 0), b, output, pushed: false);
                else StartNumber(integer: false, below, b, output);
                return;
        }
    }

    private static readonly AnyValueNode AnyValue = new() { MinLength = 1 };
    private static readonly ArrayNode AnyArray = new(AnyValue) { MinLength = 2 };
    private static readonly LiteralNode Keywords = new([Encoding.UTF8.GetBytes("true"), Encoding.UTF8.GetBytes("false"), Encoding.UTF8.GetBytes("null")]) { MinLength = 4 };

    private static void StartNumber(bool integer, GrammarStack below, byte b, List<GrammarStack> output)
    {
        if (b == '-') output.Add(below.Push(new NumberFrame(integer, NumberPhase.Minus, 0)));
        else if (b == '0') output.Add(below.Push(new NumberFrame(integer, NumberPhase.Zero, 1)));
        else if (b is >= (byte)'1' and <= (byte)'9') output.Add(below.Push(new NumberFrame(integer, NumberPhase.Integer, 1)));
    }

    private static void StepString(GrammarStack stack, StringFrame s, byte b, List<GrammarStack> output)
    {
        if (s.Pending > 0)
        {
            if (b is >= 0x80 and <= 0xBF) output.Add(stack.Replace(StringFrame.Of(s.Pending - 1, 0)));
            return;
        }
        switch (s.Escape)
        {
            case 0:
                if (b == '"') output.Add(stack.Below!);
                else if (b == '\\') output.Add(stack.Replace(StringFrame.Of(0, 1)));
                else if (b is >= 0x20 and < 0x80) output.Add(stack); // same frame: no allocation for plain text
                else if (b is >= 0xC2 and <= 0xDF) output.Add(stack.Replace(StringFrame.Of(1, 0)));
                else if (b is >= 0xE0 and <= 0xEF) output.Add(stack.Replace(StringFrame.Of(2, 0)));
                else if (b is >= 0xF0 and <= 0xF4) output.Add(stack.Replace(StringFrame.Of(3, 0)));
                return;
            case 1:
                if (b is (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t') output.Add(stack.Replace(StringFrame.Of(0, 0)));
                else if (b == 'u') output.Add(stack.Replace(StringFrame.Of(0, 2)));
                return;
            case 2:
                if (b is (byte)'d' or (byte)'D') output.Add(stack.Replace(StringFrame.Of(0, 6)));
                else if (IsHex(b)) output.Add(stack.Replace(StringFrame.Of(0, 3)));
                return;
            case 6:
                if (b is >= (byte)'0' and <= (byte)'7') output.Add(stack.Replace(StringFrame.Of(0, 4)));
                else if (b is (byte)'8' or (byte)'9' or >= (byte)'a' and <= (byte)'b' or >= (byte)'A' and <= (byte)'B') output.Add(stack.Replace(StringFrame.Of(0, 7)));
                return;
            case 9:
                if (b == '\\') output.Add(stack.Replace(StringFrame.Of(0, 10)));
                return;
            case 10:
                if (b == 'u') output.Add(stack.Replace(StringFrame.Of(0, 11)));
                return;
            case 11:
                if (b is (byte)'d' or (byte)'D') output.Add(stack.Replace(StringFrame.Of(0, 12)));
                return;
            case 12:
                if (b is >= (byte)'c' and <= (byte)'f' or >= (byte)'C' and <= (byte)'F') output.Add(stack.Replace(StringFrame.Of(0, 13)));
                return;
            default: // 3, 4, 5: hex digits of \uXXXX; 7, 8: of a high surrogate; 13, 14: of its low surrogate
                if (IsHex(b)) output.Add(stack.Replace(StringFrame.Of(0, s.Escape is 5 or 14 ? 0 : s.Escape + 1)));
                return;
        }
    }

    private static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static void StepNumber(GrammarStack stack, NumberFrame n, byte b, List<GrammarStack> output)
    {
        var digit = b is >= (byte)'0' and <= (byte)'9';
        NumberFrame? next = n.Phase switch
        {
            NumberPhase.Minus when b == '0' => n with { Phase = NumberPhase.Zero, Digits = 1 },
            NumberPhase.Minus when digit => n with { Phase = NumberPhase.Integer, Digits = 1 },
            NumberPhase.Integer when digit && n.Digits < MaxIntegerDigits => n with { Digits = n.Digits + 1 },
            NumberPhase.Zero or NumberPhase.Integer when b == '.' && !n.Integer => n with { Phase = NumberPhase.Dot, Digits = 0 },
            NumberPhase.Zero or NumberPhase.Integer or NumberPhase.Fraction when b is (byte)'e' or (byte)'E' && !n.Integer =>
                n with { Phase = NumberPhase.Exponent, Digits = 0 },
            NumberPhase.Dot when digit => n with { Phase = NumberPhase.Fraction, Digits = 1 },
            NumberPhase.Fraction when digit && n.Digits < MaxFractionDigits => n with { Digits = n.Digits + 1 },
            NumberPhase.Exponent when b is (byte)'+' or (byte)'-' => n with { Phase = NumberPhase.ExponentSign },
            NumberPhase.Exponent or NumberPhase.ExponentSign when digit => n with { Phase = NumberPhase.ExponentDigits, Digits = 1 },
            NumberPhase.ExponentDigits when digit && n.Digits < MaxExponentDigits => n with { Digits = n.Digits + 1 },
            _ => null,
        };
        if (next is not null)
        {
            output.Add(stack.Replace(next));
        }
        else if (IsComplete(n))
        {
            Step(stack.Below!, b, output); // the number ended before this byte: the enclosing value takes it
        }
    }

    private static bool IsComplete(NumberFrame n) =>
        n.Phase is NumberPhase.Zero or NumberPhase.Integer or NumberPhase.Fraction or NumberPhase.ExponentDigits;

    private static void StepLiteral(GrammarStack stack, LiteralFrame literal, byte b, List<GrammarStack> output) =>
        StepLiteral(stack.Below!, literal, b, output, pushed: true);

    /// <summary>
    /// The literal's next byte; <paramref name="below"/> is the stack under the literal's frame. A literal that is complete
    /// and that no alternative extends is popped at once; one that may go on (enum 1 and 12) stays until a byte decides.
    /// </summary>
    private static void StepLiteral(GrammarStack below, LiteralFrame literal, byte b, List<GrammarStack> output, bool pushed)
    {
        var alternatives = literal.Node.Alternatives;
        var position = literal.Position;
        var chosen = alternatives[literal.Chosen];
        for (var i = literal.Chosen; i < alternatives.Length; i++)
        {
            var alternative = alternatives[i];
            if (!alternative.AsSpan(0, Math.Min(position, alternative.Length)).SequenceEqual(chosen.AsSpan(0, position)))
            {
                break; // sorted: no later alternative shares the written bytes
            }
            if (alternative.Length > position && alternative[position] == b)
            {
                var next = new LiteralFrame(literal.Node, position + 1, i);
                output.Add(IsFinal(next) ? below : below.Push(next));
                break;
            }
        }
        if (pushed && chosen.Length == position)
        {
            Step(below, b, output);
        }
    }

    private static bool IsFinal(LiteralFrame literal)
    {
        var alternatives = literal.Node.Alternatives;
        var chosen = alternatives[literal.Chosen];
        if (chosen.Length != literal.Position) return false;
        // Sorted: an alternative that extends the chosen one comes right after it.
        return literal.Chosen + 1 >= alternatives.Length || !alternatives[literal.Chosen + 1].AsSpan().StartsWith(chosen);
    }

    private static bool IsComplete(LiteralFrame literal) => literal.Node.Alternatives[literal.Chosen].Length == literal.Position;

    private static void StepObject(GrammarStack stack, ObjectFrame o, byte b, List<GrammarStack> output)
    {
        var node = o.Node;
        switch (o.Phase)
        {
            case ObjectPhase.Open:
            case ObjectPhase.Key:
            case ObjectPhase.KeyAfterSpace:
                if (o.Phase == ObjectPhase.Open && b == '}' && node.FirstRequired(o.Next) == node.Properties.Length)
                {
                    output.Add(stack.Below!);
                }
                else if (o.Phase == ObjectPhase.Key && b == ' ')
                {
                    output.Add(stack.Replace(o with { Phase = ObjectPhase.KeyAfterSpace }));
                }
                else if (b == '"' && o.Next < node.Properties.Length)
                {
                    output.Add(stack.Replace(new KeyFrame(node, o.Next, 1, o.Next)));
                }
                return;
            case ObjectPhase.Colon:
                if (b == ':')
                {
                    output.Add(stack.Replace(new ObjectFrame(node, ObjectPhase.AfterValue, o.Next + 1))
                        .Push(new ValueFrame(node.Properties[o.Next].Value, SpaceAllowed: true)));
                }
                return;
            case ObjectPhase.AfterValue:
                if (b == ',' && o.Next < node.Properties.Length)
                {
                    output.Add(stack.Replace(o with { Phase = ObjectPhase.Key }));
                }
                else if (b == '}' && node.FirstRequired(o.Next) == node.Properties.Length)
                {
                    output.Add(stack.Below!);
                }
                return;
        }
    }

    /// <summary>Candidates: properties from <see cref="KeyFrame.From"/> up to and including the first required one (order is kept).</summary>
    private static void StepKey(GrammarStack stack, KeyFrame key, byte b, List<GrammarStack> output)
    {
        var properties = key.Node.Properties;
        var last = Math.Min(key.Node.FirstRequired(key.From), properties.Length - 1);
        var written = properties[key.Chosen].Key.AsSpan(0, key.Position);
        for (var i = key.Chosen; i <= last; i++)
        {
            var candidate = properties[i].Key;
            if (candidate.Length > key.Position && candidate[key.Position] == b && candidate.AsSpan(0, key.Position).SequenceEqual(written))
            {
                output.Add(stack.Replace(candidate.Length == key.Position + 1
                    ? new ObjectFrame(key.Node, ObjectPhase.Colon, i)
                    : new KeyFrame(key.Node, key.From, key.Position + 1, i)));
                return; // keys differ, so the first candidate that takes the byte stands for all that do
            }
        }
    }

    private static void StepAnyObject(GrammarStack stack, AnyObjectFrame o, byte b, List<GrammarStack> output)
    {
        switch (o.Phase)
        {
            case ObjectPhase.Open:
            case ObjectPhase.Key:
            case ObjectPhase.KeyAfterSpace:
                if (o.Phase == ObjectPhase.Open && b == '}') output.Add(stack.Below!);
                else if (o.Phase == ObjectPhase.Key && b == ' ') output.Add(stack.Replace(new AnyObjectFrame(ObjectPhase.KeyAfterSpace)));
                else if (b == '"') output.Add(stack.Replace(new AnyObjectFrame(ObjectPhase.Colon)).Push(StringFrame.Of(0, 0)));
                return;
            case ObjectPhase.Colon:
                if (b == ':') output.Add(stack.Replace(new AnyObjectFrame(ObjectPhase.AfterValue)).Push(new ValueFrame(AnyValue, SpaceAllowed: true)));
                return;
            case ObjectPhase.AfterValue:
                if (b == ',') output.Add(stack.Replace(new AnyObjectFrame(ObjectPhase.Key)));
                else if (b == '}') output.Add(stack.Below!);
                return;
        }
    }

    /// <summary>Whether the output may end here: everything left on the stack is complete (the end, or a number or literal that may stop).</summary>
    public static bool CanFinish(GrammarStack stack)
    {
        for (GrammarStack? s = stack; s is not null; s = s.Below)
        {
            switch (s.Top)
            {
                case EndFrame:
                    return true;
                case NumberFrame n when IsComplete(n):
                case LiteralFrame l when IsComplete(l):
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// The fewest tokens that surely complete the output from here: the JSON value's bytes (a byte is a token at worst)
    /// plus the prefix and suffix in their fewest tokens; int.MaxValue when none is finite.
    /// </summary>
    public static int MinTokensToFinish(GrammarStack stack)
    {
        long total = 0;
        for (GrammarStack? s = stack; s is not null && total < int.MaxValue; s = s.Below)
        {
            total += s.Top switch
            {
                EndFrame => 0,
                TextFrame t => t.TokensLeft[t.Position],
                ValueFrame v => v.Node.MinLength,
                StringFrame str => str.Pending + StringFrame.EscapeRest[str.Escape] + 1,
                NumberFrame n => n.Phase is NumberPhase.Minus or NumberPhase.Dot or NumberPhase.Exponent or NumberPhase.ExponentSign ? 1 : 0,
                LiteralFrame l => LiteralRest(l),
                ObjectFrame o => ObjectRest(o),
                KeyFrame k => KeyRest(k),
                AnyObjectFrame a => a.Phase switch { ObjectPhase.Open or ObjectPhase.AfterValue => 1, ObjectPhase.Colon => 3, _ => 5 },
                ArrayFrame => 1,
                _ => 0,
            };
        }
        return (int)Math.Min(total, int.MaxValue);
    }

    private static long LiteralRest(LiteralFrame l)
    {
        var written = l.Node.Alternatives[l.Chosen].AsSpan(0, l.Position);
        var best = int.MaxValue;
        foreach (var alternative in l.Node.Alternatives)
        {
            if (alternative.AsSpan().StartsWith(written)) best = Math.Min(best, alternative.Length);
        }
        return best - l.Position;
    }

    /// <summary>Bytes for the required members after index <paramref name="from"/>, each with its leading comma.</summary>
    private static long RequiredAfter(ObjectNode node, int from)
    {
        long total = 0;
        for (var i = from; i < node.Properties.Length; i++)
        {
            var p = node.Properties[i];
            if (p.Required) total += 1 + p.Key.Length + 1 + (long)p.Value.MinLength;
        }
        return total;
    }

    private static long ObjectRest(ObjectFrame o) => o.Phase switch
    {
        // '{' written: required members (the first without its comma) and '}'.
        ObjectPhase.Open => Math.Max(0, RequiredAfter(o.Node, o.Next) - 1) + 1,
        ObjectPhase.Colon => 1 + (long)o.Node.Properties[o.Next].Value.MinLength + RequiredAfter(o.Node, o.Next + 1) + 1,
        ObjectPhase.AfterValue => RequiredAfter(o.Node, o.Next) + 1,
        // ',' written: one member at least, then the rest.
        _ => MemberFrom(o.Node, o.Next, 0),
    };

    private static long KeyRest(KeyFrame k) => MemberFrom(k.Node, k.From, k.Position, k.Chosen);

    /// <summary>The cheapest member a key may still become (candidates up to the first required), its key started <paramref name="position"/> bytes in, then the rest and '}'.</summary>
    private static long MemberFrom(ObjectNode node, int from, int position, int chosen = -1)
    {
        var best = long.MaxValue;
        var last = Math.Min(node.FirstRequired(from), node.Properties.Length - 1);
        for (var i = Math.Max(from, chosen); i <= last; i++)
        {
            var p = node.Properties[i];
            if (chosen >= 0 && !p.Key.AsSpan().StartsWith(node.Properties[chosen].Key.AsSpan(0, position))) continue;
            best = Math.Min(best, p.Key.Length - position + 1 + (long)p.Value.MinLength + RequiredAfter(node, i + 1) + 1);
        }
        return best == long.MaxValue ? int.MaxValue : best;
    }
}
