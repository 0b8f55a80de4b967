namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// A piece of a streamed call, as OpenAI streams them: the call's first piece has its <see cref="Id"/> and
/// <see cref="Name"/> (and no arguments), the later ones null there and the next part of the arguments' JSON text.
/// </summary>
public sealed record ToolCallDelta(int Index, string? Id, string? Name, string Arguments)
{
    public bool IsHeader => Id is not null;
}

/// <summary>A call as far as it is written: its name, and the part of its arguments' JSON text that is surely theirs.</summary>
public sealed record PartialToolCall(string Name, string Arguments);
