using System.Text.RegularExpressions;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.Collections;

/// <summary>Which collection names callers may use. They cannot contain '.', which keeps the manifest collections' names free.</summary>
public static partial class CollectionNames
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")]
    private static partial Regex Pattern();

    /// <exception cref="StoreException">INVALID_ARGUMENT saying what is wrong.</exception>
    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name)) throw StoreException.Invalid("collection name is empty");
        if (!Pattern().IsMatch(name))
            throw StoreException.Invalid($"collection name '{name}' is invalid: use 3-63 characters a-z, 0-9, '-' and '_', starting and ending with a letter or digit");
    }

    public static StoreException NotFound(string name) => StoreException.NotFound($"collection '{name}' does not exist");
}
