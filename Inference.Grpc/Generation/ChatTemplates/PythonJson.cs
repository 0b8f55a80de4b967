using System.Globalization;
using System.Text;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// The tojson filter as transformers defines it: Python's json.dumps(x, ensure_ascii=False, indent, separators,
/// sort_keys), byte for byte (", " and ": " between items unless indented, non-ASCII kept, floats as Python prints
/// them). Not System.Text.Json: its separators, escaping and number formats differ from Python's.
/// </summary>
internal static class PythonJson
{
    public static string Dumps(object? value, string? indent = null, (string Item, string Key)? separators = null, bool sortKeys = false,
        bool ensureAscii = false)
    {
        var (item, key) = separators ?? (indent is null ? (", ", ": ") : (",", ": "));
        var sb = new StringBuilder();
        Write(sb, value, indent, item, key, sortKeys, ensureAscii, 0);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? v, string? indent, string item, string key, bool sortKeys, bool ascii, int depth)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d:
                sb.Append(double.IsNaN(d) ? "NaN" : double.IsInfinity(d) ? (d > 0 ? "Infinity" : "-Infinity") : Values.FormatFloat(d));
                break;
            case string s: WriteString(sb, s, ascii); break;
            case List<object?> list:
                if (list.Count == 0) { sb.Append("[]"); break; }
                sb.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(item);
                    NewLine(sb, indent, depth + 1);
                    Write(sb, list[i], indent, item, key, sortKeys, ascii, depth + 1);
                }
                NewLine(sb, indent, depth);
                sb.Append(']');
                break;
            case Dictionary<string, object?> dict when v is not Namespace:
                if (dict.Count == 0) { sb.Append("{}"); break; }
                sb.Append('{');
                var entries = sortKeys ? dict.OrderBy(e => e.Key, StringComparer.Ordinal).ToList() : dict.ToList();
                for (var i = 0; i < entries.Count; i++)
                {
                    if (i > 0) sb.Append(item);
                    NewLine(sb, indent, depth + 1);
                    WriteString(sb, entries[i].Key, ascii);
                    sb.Append(key);
                    Write(sb, entries[i].Value, indent, item, key, sortKeys, ascii, depth + 1);
                }
                NewLine(sb, indent, depth);
                sb.Append('}');
                break;
            default:
                throw new ChatTemplateException($"tojson: {Values.TypeName(v)} is not JSON serializable");
        }
    }

    private static void NewLine(StringBuilder sb, string? indent, int depth)
    {
        if (indent is null) return;
        sb.Append('\n');
        for (var i = 0; i < depth; i++) sb.Append(indent);
    }

    private static void WriteString(StringBuilder sb, string s, bool ascii)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || (ascii && c > 0x7e)) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
