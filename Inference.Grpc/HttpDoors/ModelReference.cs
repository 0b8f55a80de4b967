namespace MlStack.Inference.HttpDoors;

/// <summary>
/// A model as the HTTP doors name it: the repository's model name, optionally with a version after a colon
/// ("tiny-gpt:2"). Only a numeric suffix is a version, so names that contain colons themselves still work.
/// </summary>
public sealed record ModelReference(string Name, string? Version)
{
    public static ModelReference Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new ModelReference("", null);
        }
        var colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 && text.AsSpan(colon + 1).IndexOfAnyExceptInRange('0', '9') < 0
            ? new ModelReference(text[..colon], text[(colon + 1)..])
            : new ModelReference(text, null);
    }

    public bool IsEmpty => Name.Length == 0;

    public override string ToString() => Version is null ? Name : $"{Name}:{Version}";
}
