using System.Text;
using Microsoft.Extensions.Options;

namespace MlStack.Inference.Generation;

/// <summary>
/// A request's prompt or chat messages to token ids, bounded before the work: the UTF-8 size first
/// (Generation:MaxPromptBytes), then the tokens, with tokenization stopped at the model's context instead of
/// running over the whole text. Chat content is always text: only the template's own text may hold control tokens,
/// so a message that spells "&lt;|im_start|&gt;" cannot open a turn of its own.
/// </summary>
public sealed class PromptEncoder(IOptions<GenerationOptions> options)
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

    /// <summary>
    /// The conversation as the model's chat template renders it (<see cref="ChatPromptRenderer"/>): the special tokens the
    /// template wrote are control tokens, everything else (contents included, whatever they spell) is text.
    /// </summary>
    public IReadOnlyList<int> EncodeChat(GeneratorModel model, IReadOnlyList<ChatTurn> messages, ChatRenderOptions? chat = null)
    {
        GenerationRequestValidator.ValidateMessages(messages);
        long bytes = 0;
        foreach (var message in messages) bytes += message.TextBytes();
        CheckBytes(bytes, "messages");

        var rendered = ChatPromptRenderer.Render(model, messages, chat ?? ChatRenderOptions.Default);
        var budget = new TokenBudget(model);
        var text = new StringBuilder();
        var at = 0;
        foreach (var (index, length, id) in rendered.ControlTokens)
        {
            text.Append(rendered.Text, at, index - at);
            Flush(model, text, budget);
            budget.Add([id], complete: true);
            at = index + length;
        }
        text.Append(rendered.Text, at, rendered.Text.Length - at);
        Flush(model, text, budget);
        return budget.Ids;
    }

    /// <summary>
    /// A rendered conversation's token ids without the context bound (the /tokenize endpoint counts prompts of any length;
    /// the request body's size bounds the work): control tokens where the template wrote them, text elsewhere.
    /// </summary>
    public static List<int> EncodeRendered(GeneratorModel model, RenderedChat rendered)
    {
        var ids = new List<int>();
        var at = 0;
        foreach (var (index, length, id) in rendered.ControlTokens)
        {
            if (index > at) ids.AddRange(model.Tokenizer.Encode(rendered.Text[at..index], specialTokens: false, int.MaxValue, out _));
            ids.Add(id);
            at = index + length;
        }
        if (at < rendered.Text.Length) ids.AddRange(model.Tokenizer.Encode(rendered.Text[at..], specialTokens: false, int.MaxValue, out _));
        return ids;
    }

    /// <summary>Renders the messages with the model's template, as text (tests compare it with reference prompts).</summary>
    public static string Render(GeneratorModel model, IReadOnlyList<ChatTurn> messages) =>
        ChatPromptRenderer.Render(model, messages, ChatRenderOptions.Default).Text;

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
