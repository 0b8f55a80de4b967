using MlStack.Inference.Repository;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.ChatTemplates;

namespace MlStack.Inference.Generation;

/// <summary>What a chat request gives the template besides its messages, as transformers' apply_chat_template takes it.</summary>
/// <param name="Tools">The tools as JSON schemas (template values), or null: the template then sees tools = None.</param>
/// <param name="Documents">Documents for retrieval-augmented templates (template values), or null.</param>
public sealed record ChatRenderOptions(bool AddGenerationPrompt = true, List<object?>? Tools = null, List<object?>? Documents = null)
{
    public static readonly ChatRenderOptions Default = new();
}

/// <summary>A rendered conversation and where in it the template (not the messages) spelled special tokens.</summary>
public sealed record RenderedChat(string Text, IReadOnlyList<(int Index, int Length, int Id)> ControlTokens);

/// <summary>
/// Renders a conversation with the model's template exactly as transformers does (contents as they are, so | trim
/// and the like behave the same), and finds which special-token spellings in the text are the template's own: only
/// those become control tokens, while a message, tool or document that spells "&lt;|im_start|&gt;" stays text. How: when
/// the data spells special tokens, the same render is made a second time with those spellings masked by private-use
/// characters of the same length; a spelling present in both renders at the same place is the template's. When the
/// template reacted to the masked text (the two renders differ in length), the special tokens of both renders are
/// paired in order (longest common subsequence): the template's own tokens are those it wrote in both, so data can
/// never add a control token.
/// </summary>
public static class ChatPromptRenderer
{
    private const char Mask = '\uE000';

    public static RenderedChat Render(GeneratorModel model, IReadOnlyList<ChatTurn> messages, ChatRenderOptions options) =>
        Render(model, messages.Select(m => (object?)m.ToTemplateValue()).ToList(), options);

    /// <summary>Messages as template values (any fields a caller sent: tool_calls, reasoning_content, ...), as transformers passes them.</summary>
    public static RenderedChat Render(GeneratorModel model, List<object?> messages, ChatRenderOptions options)
    {
        // The template engine knows nothing of requests: its refusals become the engine's, worded for the caller.
        try
        {
            return RenderWithTemplate(model, messages, options);
        }
        catch (ChatTemplateRaisedException raised)
        {
            throw InferenceException.Invalid($"The chat template of model '{ServingErrors.Shorten(model.Name)}' refused these messages: {raised.Message}");
        }
        catch (ChatTemplateException template)
        {
            throw InferenceException.Invalid($"The chat template of model '{ServingErrors.Shorten(model.Name)}' cannot render these messages: {template.Message}");
        }
    }

    private static RenderedChat RenderWithTemplate(GeneratorModel model, List<object?> messages, ChatRenderOptions options)
    {
        var templates = model.ChatTemplates ?? throw new InferenceException(InferenceErrorReason.FailedPrecondition,
            $"Model '{model.Name}' has no chat template: its folder has neither {ChatTemplateSet.TemplateFileName} nor \"chat_template\" in " +
            $"{ChatTemplateSet.TokenizerConfigFileName}. Send a raw prompt (Generate, /v1/completions) or add a template to the model.");
        var template = templates.Select(options.Tools is { Count: > 0 });
        var now = DateTimeOffset.Now;
        var data = new Dictionary<string, object?>
        {
            ["messages"] = messages,
            ["tools"] = options.Tools,
            ["documents"] = options.Documents,
        };
        var text = template.Render(Variables(model, data, options), now);
        var found = model.Tokenizer.FindSpecialTokens(text).ToList();
        if (found.Count == 0)
        {
            return new RenderedChat(text, []);
        }
        var masked = MaskSpecialTokens(model, data, out var changed);
        if (!changed)
        {
            return new RenderedChat(text, found);
        }
        var reference = template.Render(Variables(model, (Dictionary<string, object?>)masked!, options), now);
        if (reference.Length == text.Length)
        {
            return new RenderedChat(text, found.Where(t => string.CompareOrdinal(reference, t.Index, text, t.Index, t.Length) == 0).ToList());
        }
        return new RenderedChat(text, PairInOrder(found, model.Tokenizer.FindSpecialTokens(reference).ToList()));
    }

    private static Dictionary<string, object?> Variables(GeneratorModel model, Dictionary<string, object?> data, ChatRenderOptions options)
    {
        var variables = new Dictionary<string, object?>(model.TemplateVariables);
        foreach (var (k, v) in data) variables[k] = v;
        variables["add_generation_prompt"] = options.AddGenerationPrompt;
        return variables;
    }

    /// <summary>The data with every special-token spelling in its strings replaced by as many private-use characters.</summary>
    private static object? MaskSpecialTokens(GeneratorModel model, object? value, out bool changed)
    {
        changed = false;
        switch (value)
        {
            case string s:
                var spans = model.Tokenizer.FindSpecialTokens(s).ToList();
                if (spans.Count == 0) return s;
                var chars = s.ToCharArray();
                foreach (var (index, length, _) in spans) Array.Fill(chars, Mask, index, length);
                changed = true;
                return new string(chars);
            case List<object?> list:
                var items = new List<object?>(list.Count);
                foreach (var item in list)
                {
                    items.Add(MaskSpecialTokens(model, item, out var c));
                    changed |= c;
                }
                return items;
            case Dictionary<string, object?> dict:
                var copy = new Dictionary<string, object?>(dict.Count);
                foreach (var (k, v) in dict)
                {
                    copy[k] = MaskSpecialTokens(model, v, out var c);
                    changed |= c;
                }
                return copy;
            default:
                return value;
        }
    }

    /// <summary>The tokens of <paramref name="found"/> that a longest common subsequence pairs with the template's own.</summary>
    private static List<(int Index, int Length, int Id)> PairInOrder(List<(int Index, int Length, int Id)> found, List<(int Index, int Length, int Id)> own)
    {
        var n = found.Count;
        var m = own.Count;
        var table = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                table[i, j] = found[i].Id == own[j].Id ? table[i + 1, j + 1] + 1 : Math.Max(table[i + 1, j], table[i, j + 1]);
            }
        }
        var kept = new List<(int, int, int)>();
        for (int i = 0, j = 0; i < n && j < m;)
        {
            if (found[i].Id == own[j].Id && table[i, j] == table[i + 1, j + 1] + 1)
            {
                kept.Add(found[i]);
                i++;
                j++;
            }
            else if (table[i + 1, j] >= table[i, j + 1]) i++;
            else j++;
        }
        return kept;
    }
}
