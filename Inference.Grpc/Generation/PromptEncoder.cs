using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Errors;

namespace MlStack.Inference.Generation;

/// <summary>
/// A request's prompt or chat messages to token ids, bounded before the work: the UTF-8 size first
/// (Generation:MaxPromptBytes), then the tokens, with tokenization stopped at the model's context instead of
/// running over the whole text. Chat content is always text: only the template's own text may hold control tokens,
/// so a message that spells "&lt;|im_start|&gt;" cannot open a turn of its own.
/// </summary>
public sealed partial class PromptEncoder(IOptions<GenerationOptions> options)
{
    public IReadOnlyList<int> EncodePrompt(GeneratorModel model, string? prompt)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            throw GenerationRequestValidator.Invalid("prompt must not be empty.");
        }
        CheckBytes(Encoding.UTF8.GetByteCount(prompt), "prompt");
        var budget = new TokenBudget(model);
        budget.Add(model.Tokenizer.Encode(prompt, specialTokens: true, budget.Left, out var complete), complete);
        return budget.Ids;
    }

    /// <summary>The conversation as the model's chat template renders it, ending with the assistant's turn.</summary>
    public IReadOnlyList<int> EncodeChat(GeneratorModel model, IReadOnlyList<ChatTurn> messages)
    {
        GenerationRequestValidator.ValidateMessages(messages);
        long bytes = 0;
        foreach (var message in messages) bytes += Encoding.UTF8.GetByteCount(message.Content) + Encoding.UTF8.GetByteCount(message.Role);
        CheckBytes(bytes, "messages");

        // Each content is rendered as a marker, then put back as text: the template's text alone is searched for
        // special tokens.
        var rendered = Render(model, [.. messages.Select((m, i) => m with { Content = Marker(i) })]);
        var budget = new TokenBudget(model);
        var text = new StringBuilder();
        var at = 0;
        foreach (Match marker in MarkerPattern().Matches(rendered))
        {
            AddTemplateText(model, rendered[at..marker.Index], text, budget);
            text.Append(messages[int.Parse(marker.Groups[1].ValueSpan, System.Globalization.CultureInfo.InvariantCulture)].Content);
            at = marker.Index + marker.Length;
        }
        AddTemplateText(model, rendered[at..], text, budget);
        Flush(model, text, budget);
        return budget.Ids;
    }

    /// <summary>Renders the messages with the model's template, as text (tests compare it with reference prompts).</summary>
    public static string Render(GeneratorModel model, IReadOnlyList<ChatTurn> messages)
    {
        ChatTemplate template;
        try
        {
            template = model.ParsedChatTemplate;
        }
        catch (ChatTemplateException ex)
        {
            throw new InferenceException(InferenceErrorReason.FailedPrecondition,
                $"The chat template of model '{model.Name}' is outside the supported Jinja subset: {ex.Message}");
        }
        try
        {
            return template.Render(messages.Select(m => (m.Role, m.Content)), addGenerationPrompt: true, model.TemplateVariables);
        }
        catch (ChatTemplateException ex)
        {
            throw GenerationRequestValidator.Invalid($"The chat template of model '{model.Name}' cannot render these messages: {ex.Message}");
        }
    }

    private static void AddTemplateText(GeneratorModel model, string segment, StringBuilder text, TokenBudget budget)
    {
        if (segment.Contains(MarkerStart) || segment.Contains(MarkerEnd))
        {
            // The template cut or rewrote a message's content: its text can no longer be kept apart from the template's.
            throw new InferenceException(InferenceErrorReason.FailedPrecondition,
                $"The chat template of model '{model.Name}' transforms message content, which this server does not support.");
        }
        var at = 0;
        foreach (var (index, length, id) in model.Tokenizer.FindSpecialTokens(segment))
        {
            text.Append(segment, at, index - at);
            Flush(model, text, budget);
            budget.Add([id], complete: true);
            at = index + length;
        }
        text.Append(segment, at, segment.Length - at);
    }

    private static void Flush(GeneratorModel model, StringBuilder text, TokenBudget budget)
    {
        if (text.Length == 0) return;
        budget.Add(model.Tokenizer.Encode(text.ToString(), specialTokens: false, budget.Left, out var complete), complete);
        text.Clear();
    }

    private void CheckBytes(long bytes, string what)
    {
        var limit = options.Value.MaxPromptBytes;
        if (bytes > limit)
        {
            throw GenerationRequestValidator.Invalid($"The {what} have {bytes} bytes of UTF-8; at most {limit} are accepted (Generation:MaxPromptBytes).");
        }
    }

    private const char MarkerStart = '\uE000';
    private const char MarkerEnd = '\uE001';

    private static string Marker(int index) => $"{MarkerStart}{index}{MarkerEnd}";

    [GeneratedRegex("\uE000([0-9]+)\uE001")]
    private static partial Regex MarkerPattern();

    /// <summary>Tokens gathered so far, and the refusal once the prompt leaves no room to generate.</summary>
    private sealed class TokenBudget(GeneratorModel model)
    {
        public List<int> Ids { get; } = [];

        /// <summary>One token past what may be kept: enough to know the prompt is too long.</summary>
        public int Left => Math.Max(0, model.ContextLength - Ids.Count);

        public void Add(IReadOnlyList<int> ids, bool complete)
        {
            Ids.AddRange(ids);
            if (!complete || Ids.Count >= model.ContextLength)
            {
                throw GenerationRequestValidator.Invalid(
                    $"The prompt has at least {model.ContextLength} tokens; model '{model.Name}' has a context of {model.ContextLength} tokens, which leaves no room to generate.");
            }
        }
    }
}
