using System.Text.RegularExpressions;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.Embedding;

/// <summary>
/// Which embedding model names a caller may ask for: names of model folders in the inference service's repository.
/// Checked here so a name reaches neither the inference service nor an error message unless it could be a model.
/// </summary>
public static partial class EmbeddingModelNames
{
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\z")]
    private static partial Regex Pattern();

    /// <summary>Empty means the inference service's default model and is valid.</summary>
    /// <exception cref="StoreException">INVALID_ARGUMENT; an invalid name is not echoed back.</exception>
    public static void Validate(string? model)
    {
        if (!string.IsNullOrEmpty(model) && !Pattern().IsMatch(model))
            throw StoreException.Invalid("embedding model name is invalid: use 1-128 characters A-Z, a-z, 0-9, '.', '-' and '_', starting with a letter or digit");
    }
}
