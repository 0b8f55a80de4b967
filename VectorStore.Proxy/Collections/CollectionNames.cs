using System.Text.RegularExpressions;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.Collections;

/// <summary>Which collection names callers may use. They cannot contain '.', which keeps the manifest collections' names free.</summary>
public static partial class CollectionNames
{
    public const string Rule = "use 3-63 characters a-z, 0-9, '-' and '_', starting and ending with a letter or digit";

    // \z, not $: in .NET '$' also matches before a final newline, which let "docs\n" through to Chroma.
    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]\z")]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => !string.IsNullOrEmpty(name) && Pattern().IsMatch(name);

    /// <exception cref="StoreException">INVALID_ARGUMENT saying what is wrong; an invalid name is not echoed back.</exception>
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name)) throw StoreException.Invalid("collection name is empty");
        if (!IsValid(name)) throw StoreException.Invalid($"collection name is invalid: {Rule}");
    }

    public static StoreException NotFound(string name) => StoreException.NotFound($"collection '{name}' does not exist");
}
