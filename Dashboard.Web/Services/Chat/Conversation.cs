using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>A chat as the browser keeps it (localStorage): its messages, and for each answer its figures and sources.</summary>
public sealed class Conversation
{
    public string Id { get; set; } = Guid.NewGuid().ToString("N");

    public string Title { get; set; } = "New chat";

    public DateTimeOffset UpdatedAt { get; set; } = DateTimeOffset.UtcNow;

    public List<ConversationMessage> Messages { get; set; } = [];
}

public sealed class ConversationMessage
{
    public string Role { get; set; } = "user";

    public string Text { get; set; } = "";

    /// <summary>The backend that answered (assistant messages).</summary>
    public string? Backend { get; set; }

    public GenerationStats? Stats { get; set; }

    public List<Passage>? Sources { get; set; }

    /// <summary>Exactly what the model was given, for the "context used" panel (answers from documents).</summary>
    public string? Context { get; set; }

    /// <summary>Set when no passage matched the question.</summary>
    public bool NoPassagesFound { get; set; }

    public string? Error { get; set; }

    public bool IsUser => Role == "user";
}

/// <summary>The settings panel, remembered per browser.</summary>
public sealed class ChatSettings
{
    public const int DefaultMaxNewTokens = 128;

    public string? BackendId { get; set; }

    public float Temperature { get; set; } = 0.7f;

    public int MaxNewTokens { get; set; } = DefaultMaxNewTokens;

    public string SystemPrompt { get; set; } = "";

    /// <summary>MlStack models only: keep writing until max new tokens (fixed-length answers, load tests).</summary>
    public bool IgnoreEndOfSequence { get; set; }

    public bool AnswerFromDocuments { get; set; }

    public string? Collection { get; set; }

    /// <summary>Answers from documents: the model searches the collection by tool call instead of passages being retrieved first.</summary>
    public bool SearchDocumentsByToolCall { get; set; }

    /// <summary>Answers are one JSON object (response_format json_object).</summary>
    public bool JsonMode { get; set; }

    /// <summary>A copy with another max new tokens: what one answer is sent with after fitting the context.</summary>
    public ChatSettings With(int maxNewTokens)
    {
        var copy = (ChatSettings)MemberwiseClone();
        copy.MaxNewTokens = maxNewTokens;
        return copy;
    }
}
