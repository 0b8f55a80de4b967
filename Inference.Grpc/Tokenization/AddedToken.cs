using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>One entry of tokenizer.json's added_tokens, with the flags that decide where it matches.</summary>
public sealed record AddedToken(int Id, string Content, bool Special, bool LeftStrip, bool RightStrip, bool SingleWord, bool Normalized)
{
    public static AddedToken Read(JsonElement node) => new(
        node.GetProperty("id").GetInt32(),
        node.GetProperty("content").GetString()!,
        Flag(node, "special"), Flag(node, "lstrip"), Flag(node, "rstrip"), Flag(node, "single_word"), Flag(node, "normalized"));

    private static bool Flag(JsonElement node, string name) => node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}
