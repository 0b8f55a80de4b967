using System.Text.RegularExpressions;

namespace MlStack.Dashboard.Services.Documents;

/// <summary>
/// The vector store's rule for collection names (VectorStore.Proxy/Collections/CollectionNames.cs), checked as the name
/// is typed so the person learns it before pressing Create; the store still checks it on its side.
/// </summary>
public static partial class CollectionNameRule
{
    public const string Help = "3-63 characters: a-z, 0-9, - and _, starting and ending with a letter or digit";

    /// <summary>Null when the name is acceptable (or still empty), otherwise what is wrong with it.</summary>
    public static string? Problem(string? name) => name?.Trim() switch
    {
        null or "" => null,
        { Length: < 3 } => "At least 3 characters.",
        { Length: > 63 } => "At most 63 characters.",
        var n when n.Any(c => c is >= 'A' and <= 'Z') => "Lower-case letters only.",
        var n when !Pattern().IsMatch(n) => $"Use {Help}.",
        _ => null,
    };

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]\z")]
    private static partial Regex Pattern();
}
