namespace MlStack.AppHost.Publishing.Yaml;

/// <summary>A YAML mapping that keeps insertion order, so published files read top-down and diff cleanly.</summary>
public sealed class YamlMap : List<KeyValuePair<string, object?>>
{
    public YamlMap Add(string key, object? value)
    {
        base.Add(new(key, value));
        return this;
    }

    /// <summary>A map of the pairs in ordinal key order, so output does not depend on dictionary order.</summary>
    public static YamlMap Sorted(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new YamlMap();
        foreach (var (key, value) in pairs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            map.Add(key, value);
        }
        return map;
    }

    /// <summary>Adds the entry only when the value is not null and not an empty collection.</summary>
    public YamlMap AddIfPresent(string key, object? value)
    {
        return value is null or System.Collections.ICollection { Count: 0 } ? this : Add(key, value);
    }
}

/// <summary>A multi-line string written as a literal block (|) rather than one escaped line.</summary>
public sealed record YamlLiteralBlock(string Text);
