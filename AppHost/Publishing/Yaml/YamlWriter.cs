using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace MlStack.AppHost.Publishing.Yaml;

/// <summary>
/// Writes block-style YAML from <see cref="YamlMap"/>s, lists and scalars. Strings are quoted unless they are
/// unambiguous plain words, so no value ever changes type when a YAML 1.1 or 1.2 parser reads it back.
/// </summary>
public static partial class YamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    };

    public static string Write(YamlMap document, string? headerComment = null)
    {
        var yaml = new StringBuilder();
        if (headerComment is not null)
        {
            yaml.Append("# ").Append(headerComment).Append('\n');
        }
        WriteMap(yaml, document, 0);
        return yaml.ToString();
    }

    /// <summary>Several documents in one file, separated by "---".</summary>
    public static string WriteAll(IEnumerable<YamlMap> documents, string? headerComment = null) =>
        string.Join("---\n", documents.Select((d, i) => Write(d, i == 0 ? headerComment : null)));

    private static void WriteMap(StringBuilder yaml, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            yaml.Append(' ', indent).Append(Scalar(key)).Append(':');
            WriteNested(yaml, value, indent);
        }
    }

    private static void WriteNested(StringBuilder yaml, object? value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                yaml.Append(" {}\n");
                break;
            case YamlMap map:
                yaml.Append('\n');
                WriteMap(yaml, map, indent + 2);
                break;
            case YamlLiteralBlock block:
                WriteLiteral(yaml, block, indent + 2);
                break;
            case IList { Count: 0 }:
                yaml.Append(" []\n");
                break;
            case IList list:
                yaml.Append('\n');
                WriteList(yaml, list, indent + 2);
                break;
            default:
                yaml.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteList(StringBuilder yaml, IList list, int indent)
    {
        foreach (var item in list)
        {
            yaml.Append(' ', indent).Append('-');
            switch (item)
            {
                case YamlMap { Count: > 0 } map:
                    // The first entry shares the dash's line; the rest align under it.
                    var first = true;
                    foreach (var (key, value) in map)
                    {
                        if (first)
                        {
                            yaml.Append(' ');
                            first = false;
                        }
                        else
                        {
                            yaml.Append(' ', indent + 2);
                        }
                        yaml.Append(Scalar(key)).Append(':');
                        WriteNested(yaml, value, indent + 2);
                    }
                    break;
                case IList { Count: > 0 } inner:
                    yaml.Append('\n');
                    WriteList(yaml, inner, indent + 2);
                    break;
                default:
                    WriteNested(yaml, item, indent);
                    break;
            }
        }
    }

    private static void WriteLiteral(StringBuilder yaml, YamlLiteralBlock block, int indent)
    {
        var text = block.Text.Replace("\r\n", "\n");
        yaml.Append(text.EndsWith('\n') ? " |\n" : " |-\n");
        foreach (var line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.Length > 0)
            {
                yaml.Append(' ', indent).Append(line);
            }
            yaml.Append('\n');
        }
    }

    public static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        int or long => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        string s => IsPlain(s) ? s : Quote(s),
        _ => throw new NotSupportedException($"YAML scalar of type {value.GetType().Name} is not supported."),
    };

    private static bool IsPlain(string s) => PlainWord().IsMatch(s) && !Reserved.Contains(s);

    private static string Quote(string s)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in s)
        {
            quoted.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }

    // Starts with a letter, '_' or '/', so it can never read as a number, bool, null or YAML indicator.
    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*$")]
    private static partial Regex PlainWord();
}
