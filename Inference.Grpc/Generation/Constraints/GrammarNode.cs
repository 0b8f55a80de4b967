namespace MlStack.Inference.Generation.Constraints;

/// <summary>
/// One JSON value a schema allows, compiled for byte-level matching (<see cref="SchemaCompiler"/>). Nodes are compared
/// by reference: a parser frame that names a node is equal to another only for the same node, which keeps the parser
/// states that masks are cached by small and exact.
/// </summary>
public abstract class GrammarNode
{
    /// <summary>The fewest bytes a value of this node takes (set by <see cref="SchemaCompiler"/>; int.MaxValue: none is finite).</summary>
    public int MinLength { get; internal set; } = int.MaxValue;
}

/// <summary>An object with declared properties in declaration order; <see cref="Required"/> ones must appear.</summary>
public sealed class ObjectNode : GrammarNode
{
    public ObjectNode(IReadOnlyList<ObjectProperty> properties) => Properties = [.. properties];

    public ObjectProperty[] Properties { get; }

    /// <summary>Index of the first required property at or after <paramref name="from"/>; Properties.Length when none.</summary>
    public int FirstRequired(int from)
    {
        while (from < Properties.Length && !Properties[from].Required) from++;
        return from;
    }
}

/// <summary>A declared property: its key as JSON bytes (quotes included) and its value.</summary>
public sealed record ObjectProperty(string Name, byte[] Key, GrammarNode Value, bool Required);

/// <summary>Any JSON object (response_format json_object, an object schema without properties outside strict mode).</summary>
public sealed class AnyObjectNode : GrammarNode;

/// <summary>Any JSON value (the members of <see cref="AnyObjectNode"/>).</summary>
public sealed class AnyValueNode : GrammarNode;

public sealed class ArrayNode(GrammarNode? items) : GrammarNode
{
    /// <summary>Set once compiled (an array may hold itself through $ref).</summary>
    public GrammarNode Items { get; internal set; } = items!;
}

public sealed class StringNode : GrammarNode;

public sealed class NumberNode(bool integer) : GrammarNode
{
    /// <summary>No fraction or exponent.</summary>
    public bool Integer { get; } = integer;
}

/// <summary>A fixed set of JSON texts (true, false, null, const, enum), sorted so alternatives with a common prefix are adjacent.</summary>
public sealed class LiteralNode : GrammarNode
{
    public LiteralNode(IEnumerable<byte[]> alternatives)
    {
        Alternatives = [.. alternatives.DistinctBy(Convert.ToHexString).OrderBy(a => a, ByteStringComparer.Instance)];
    }

    public byte[][] Alternatives { get; }
}

/// <summary>One of several nodes (anyOf, a type array).</summary>
public sealed class AnyOfNode(IReadOnlyList<GrammarNode> options) : GrammarNode
{
    public GrammarNode[] Options { get; } = [.. options];
}

/// <summary>A $ref, resolved after its target is compiled (so recursive schemas compile).</summary>
public sealed class RefNode(string pointer) : GrammarNode
{
    public string Pointer { get; } = pointer;

    public GrammarNode Target { get; internal set; } = null!;
}

internal sealed class ByteStringComparer : IComparer<byte[]>
{
    public static readonly ByteStringComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
