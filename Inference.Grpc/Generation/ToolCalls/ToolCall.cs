using System.Security.Cryptography;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>A call of one of the request's tools: its id, the function's name and its arguments as JSON text.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments)
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A fresh id of <paramref name="length"/> random letters and digits, after <paramref name="prefix"/>.</summary>
    public static string NewId(string prefix, int length) => prefix + RandomNumberGenerator.GetString(Alphanumeric, length);
}

/// <summary>A model's answer split into its text and the tool calls it made (none: a plain answer).</summary>
public sealed record ParsedAnswer(string Content, IReadOnlyList<ToolCall> Calls);
