using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.Generation.ToolCalls;

/// <summary>
/// Which tool-call syntax a model speaks: model.json's tool_call_parser when set (vLLM's names: hermes, llama3_json,
/// mistral, gpt_oss, or none), else detected from its tokenizer's special tokens and its chat template. A template
/// that never mentions tools cannot show them to the model, so such a model has none.
/// </summary>
public static class ToolCallParsers
{
    public const string NoneName = "none";

    public static readonly IReadOnlyList<string> Names = ["hermes", "llama3_json", "mistral", "gpt_oss", NoneName];

    /// <summary>The model's parser, or null for none; throws InvalidDataException naming a setting it does not know.</summary>
    public static ToolCallParser? Resolve(string? setting, ChatTemplateSet? templates, ModelTokenizer tokenizer)
    {
        var argsSyntax = tokenizer.SpecialTokens.ContainsKey("[ARGS]");
        if (!string.IsNullOrEmpty(setting))
        {
            return setting switch
            {
                "hermes" => new HermesToolCallParser(),
                "llama3_json" => new Llama3JsonToolCallParser(),
                "mistral" => new MistralToolCallParser(argsSyntax),
                "gpt_oss" => new GptOssToolCallParser(),
                NoneName => null,
                _ => throw new InvalidDataException($"tool_call_parser is '{setting}'; use one of {string.Join(", ", Names)}."),
            };
        }
        return Detect(templates, tokenizer, argsSyntax);
    }

    private static ToolCallParser? Detect(ChatTemplateSet? templates, ModelTokenizer tokenizer, bool argsSyntax)
    {
        var template = templates is null ? "" : templates.Default.Source + templates.ToolUse?.Source;
        if (!template.Contains("tools", StringComparison.Ordinal)) return null;
        var special = tokenizer.SpecialTokens;
        if (special.ContainsKey("<|channel|>") && special.ContainsKey("<|call|>")) return new GptOssToolCallParser();
        if (special.ContainsKey("[TOOL_CALLS]") || template.Contains("[TOOL_CALLS]", StringComparison.Ordinal)) return new MistralToolCallParser(argsSyntax);
        if (template.Contains("<tool_call>", StringComparison.Ordinal)) return new HermesToolCallParser();
        if (special.ContainsKey("<|python_tag|>") || template.Contains("\"parameters\": dictionary", StringComparison.Ordinal)) return new Llama3JsonToolCallParser();
        return null;
    }
}
