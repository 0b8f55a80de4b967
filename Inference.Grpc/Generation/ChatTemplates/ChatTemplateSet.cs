using System.Text.Json;

namespace MlStack.Inference.Generation.ChatTemplates;

/// <summary>
/// A model's chat templates, found where transformers looks: chat_template.jinja in the model folder (what transformers
/// writes now), else "chat_template" in tokenizer_config.json, either one template or a list of named ones ("default",
/// and "tool_use" for requests with tools). Each is parsed when the model loads, so an unsupported construct fails the
/// load with the file, line and column.
/// </summary>
public sealed class ChatTemplateSet
{
    public const string TemplateFileName = "chat_template.jinja";
    public const string TokenizerConfigFileName = "tokenizer_config.json";

    private ChatTemplateSet(ChatTemplate template, ChatTemplate? toolUse, string source)
    {
        Default = template;
        ToolUse = toolUse;
        Source = source;
    }

    public ChatTemplate Default { get; }

    /// <summary>The "tool_use" template of a named list, used when a request gives tools (as transformers picks it).</summary>
    public ChatTemplate? ToolUse { get; }

    /// <summary>Where the templates came from, for logs and messages.</summary>
    public string Source { get; }

    public ChatTemplate Select(bool hasTools) => hasTools && ToolUse is not null ? ToolUse : Default;

    /// <summary>The folder's templates, or null when it has none; throws InvalidDataException naming what cannot be parsed.</summary>
    public static ChatTemplateSet? Load(string directory)
    {
        var file = Path.Combine(directory, TemplateFileName);
        if (File.Exists(file))
        {
            return new ChatTemplateSet(Parse(File.ReadAllText(file), TemplateFileName), null, TemplateFileName);
        }
        var config = Path.Combine(directory, TokenizerConfigFileName);
        if (!File.Exists(config))
        {
            return null;
        }
        using var document = JsonDocument.Parse(File.ReadAllText(config));
        if (!document.RootElement.TryGetProperty("chat_template", out var template))
        {
            return null;
        }
        const string where = TokenizerConfigFileName + " chat_template";
        switch (template.ValueKind)
        {
            case JsonValueKind.String:
                return new ChatTemplateSet(Parse(template.GetString()!, where), null, where);
            case JsonValueKind.Array:
                var named = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in template.EnumerateArray())
                {
                    if (entry.TryGetProperty("name", out var name) && entry.TryGetProperty("template", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        named[name.GetString() ?? ""] = text.GetString()!;
                    }
                }
                if (!named.TryGetValue("default", out var main))
                {
                    throw new InvalidDataException($"{where} is a list of named templates without one named \"default\" (it has: {string.Join(", ", named.Keys)}).");
                }
                return new ChatTemplateSet(Parse(main, $"{where} \"default\""),
                    named.TryGetValue("tool_use", out var tools) ? Parse(tools, $"{where} \"tool_use\"") : null, where);
            case JsonValueKind.Null:
                return null;
            default:
                throw new InvalidDataException($"{where} is {template.ValueKind}; it must be a string or a list of named templates.");
        }
    }

    private static ChatTemplate Parse(string source, string where)
    {
        try
        {
            return new ChatTemplate(source);
        }
        catch (ChatTemplateException error)
        {
            throw new InvalidDataException($"The chat template in {where} cannot be loaded: {error.Message}", error);
        }
    }
}
