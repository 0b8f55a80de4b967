using System.Diagnostics;
using Microsoft.Extensions.AI;
using MlStack.Dashboard.Services.Documents;
using MlStack.Dashboard.Services.Rag;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Everything the chat page does, without the page: the stored chats and settings, the model and collection lists,
/// and sending (retrieval, the prompt, the streamed answer, saving). No input and no backend failure escapes it:
/// each ends as a message on the answer or in <see cref="Notices"/>, and the session stays usable. One per circuit.
/// </summary>
public sealed class ChatSession(ChatBackendCatalog catalog, IChatStore store, ChatAnswerer answerer, RagService rag,
    IDocumentCollections documents, ILogger<ChatSession> logger) : IDisposable
{
    /// <summary>After the first piece, the answer is announced at most this often: smooth to read, cheap on the circuit.</summary>
    private static readonly TimeSpan ChangeInterval = TimeSpan.FromMilliseconds(40);

    private readonly List<string> _notices = [];
    private List<Conversation> _conversations = [];
    private CancellationTokenSource? _answering;
    private long _lastChange;

    /// <summary>Raised when something the page shows changed (while an answer streams, at most every 40 ms).</summary>
    public event Func<Task>? Changed;

    public IReadOnlyList<Conversation> Conversations => _conversations;

    public Conversation? Current { get; private set; }

    public ChatSettings Settings { get; private set; } = new();

    public ChatBackendList Backends { get; private set; } = new([], null);

    public ChatBackend? Selected => Backends.Find(Settings.BackendId);

    public IReadOnlyList<string> Collections { get; private set; } = [];

    /// <summary>Why answers from documents are unavailable (the vector store does not answer); null when they are available.</summary>
    public string? DocumentsProblem { get; private set; }

    /// <summary>What the person should know about their stored chats (set aside, archived, not saved).</summary>
    public IReadOnlyList<string> Notices => _notices;

    /// <summary>Chats in the archive (moved out of the list to keep it within bounds); they can be exported.</summary>
    public int ArchivedCount { get; private set; }

    /// <summary>Why the last message was not sent (too long); cleared by the next send.</summary>
    public string? InputProblem { get; private set; }

    public bool Ready { get; private set; }

    public bool Busy { get; private set; }

    /// <summary>The answer being written, if one is.</summary>
    public ConversationMessage? Streaming { get; private set; }

    /// <summary>Reads the stored chats and settings and lists the models and collections. Called once the page is interactive.</summary>
    public async Task LoadAsync()
    {
        _notices.Clear();
        var stored = await store.LoadConversationsAsync();
        if (stored.Unreadable)
        {
            _notices.Add("Your stored chats could not be read (written by another version of the page, or edited by hand). " +
                "They were set aside in this browser, and new chats start here.");
        }
        var settings = await store.LoadSettingsAsync();
        if (settings.Unreadable)
        {
            _notices.Add("Your stored chat settings could not be read; the defaults are used.");
        }
        Settings = settings.Value ?? new ChatSettings();
        Settings.MaxNewTokens = Math.Clamp(Settings.MaxNewTokens, 1, 1_000_000);
        _conversations = stored.Value ?? [];
        await KeepWithinBoundAsync();
        Current = _conversations.FirstOrDefault();
        await Task.WhenAll(ReloadBackendsAsync(), LoadCollectionsAsync());
        Ready = true;
    }

    public async Task ReloadBackendsAsync()
    {
        try
        {
            Backends = await catalog.ListAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or UnauthorizedAccessException
            or System.Security.Cryptography.CryptographicException)
        {
            // The saved endpoints could not be read: MlStack's own models still work.
            logger.LogWarning(ex, "The saved chat endpoints could not be read");
            Backends = new ChatBackendList([], $"The saved endpoints could not be read: {ex.Message}");
        }
        if (Selected is null)
        {
            Settings.BackendId = Backends.Backends.FirstOrDefault()?.Id;
        }
    }

    public async Task<bool> SendAsync(string text)
    {
        if (Busy || !Ready || string.IsNullOrWhiteSpace(text) || Selected is not { } backend)
        {
            return false;
        }
        text = text.Trim();
        if (text.Length > ChatLimits.MaxMessageCharacters)
        {
            InputProblem = $"Messages are limited to {ChatLimits.MaxMessageCharacters:N0} characters; this one has {text.Length:N0}. Shorten it and send again.";
            await NotifyAsync();
            return false;
        }
        InputProblem = null;
        if (Current is null)
        {
            Current = new Conversation();
            _conversations.Insert(0, Current);
        }
        var conversation = Current;
        var history = conversation.Messages
            .Where(m => m.Error is null && m.Text.Length > 0)
            .Select(m => new ChatMessage(m.IsUser ? ChatRole.User : ChatRole.Assistant, m.Text))
            .ToList();
        conversation.Messages.Add(new ConversationMessage { Role = "user", Text = text });
        if (conversation.Messages.Count == 1)
        {
            conversation.Title = Title(text);
        }
        var answer = new ConversationMessage { Role = "assistant", Backend = backend.DisplayName };
        conversation.Messages.Add(answer);
        Streaming = answer;
        Busy = true;
        _answering = new CancellationTokenSource();
        var token = _answering.Token;
        await NotifyAsync();
        try
        {
            await AnswerAsync(backend, text, history, answer, token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            answer.Stats ??= new GenerationStats(null, null, null, ChatAnswerer.StoppedReason, null, null, false);
        }
        catch (Exception ex)
        {
            // The last line of defence: whatever went wrong ends this answer, not the page.
            logger.LogError(ex, "Answering in the chat failed");
            answer.Error = $"The answer failed: {ex.Message}";
        }
        finally
        {
            Busy = false;
            Streaming = null;
            _answering.Dispose();
            _answering = null;
            conversation.UpdatedAt = DateTimeOffset.UtcNow;
            _conversations = [.. _conversations.OrderByDescending(c => c.UpdatedAt)];
            await SaveConversationsAsync();
            await NotifyAsync();
        }
        return true;
    }

    /// <summary>Retrieval and the prompt, then the streamed answer with max new tokens fitted to the context the prompt leaves.</summary>
    private async Task AnswerAsync(ChatBackend backend, string text, List<ChatMessage> history, ConversationMessage answer, CancellationToken token)
    {
        var collection = Settings.AnswerFromDocuments && DocumentsProblem is null ? Settings.Collection : null;
        var budget = backend.PromptCharacterBudget(Settings.MaxNewTokens);
        PreparedPrompt prompt;
        int? maxNewTokens;
        // The budget is in characters and the fit in tokens: a prompt that still leaves no room is prepared again, smaller.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                prompt = await rag.PrepareAsync(new PromptRequest(text, history, Settings.SystemPrompt, collection, budget,
                    SearchByToolCall: Settings.SearchDocumentsByToolCall), token);
            }
            catch (BackendCallException ex)
            {
                answer.Error = ex.Message;
                return;
            }
            maxNewTokens = backend.FitMaxNewTokens(prompt.Messages, Settings.MaxNewTokens);
            if (maxNewTokens is not null || attempt == 2 || budget <= 200)
            {
                break;
            }
            budget = Math.Max(200, budget - (ChatBackend.PromptTokenBound(prompt.Messages) - budget) - 64);
        }
        var search = collection is not null && Settings.SearchDocumentsByToolCall ? rag.SearchTool(collection) : null;
        if (collection is not null && search is null)
        {
            answer.Sources = [.. prompt.Sources];
            answer.Context = prompt.ContextText;
            answer.NoPassagesFound = prompt.NoPassagesFound;
        }
        if (maxNewTokens is not { } fitted)
        {
            answer.Error = $"This message is too long for {backend.DisplayName}: with the chat's instructions it fills the model's context of " +
                $"{backend.ContextLength} tokens. Shorten it, or start a new chat.";
            return;
        }
        _lastChange = 0;
        var settings = Settings.With(maxNewTokens: fitted);
        try
        {
            var result = await answerer.AnswerAsync(backend, prompt.Messages, settings, piece => AppendAsync(answer, piece), token,
                search is null ? null : [search.Function]);
            answer.Stats = result.Stats;
            answer.Error = result.Error ?? search?.Failure;
        }
        finally
        {
            if (search is not null)
            {
                // Sources cited as with retrieve-then-prompt: the passages the model's searches returned, numbered as it saw them.
                answer.Sources = [.. search.Sources];
                answer.Context = prompt.ContextText + "\n\n" + (search.Searched ? search.Context : "(The model did not search the documents.)");
                answer.NoPassagesFound = search.Searched && search.Sources.Count == 0;
            }
        }
    }

    private Task AppendAsync(ConversationMessage answer, string piece)
    {
        answer.Text += piece;
        // The first piece is shown at once (that is the TTFT a person sees); later ones are batched.
        if (_lastChange == 0 || Stopwatch.GetElapsedTime(_lastChange) >= ChangeInterval)
        {
            _lastChange = Stopwatch.GetTimestamp();
            return NotifyAsync();
        }
        return Task.CompletedTask;
    }

    /// <summary>Stop and Esc: cancels the call, and the server stops decoding.</summary>
    public void Stop() => _answering?.Cancel();

    public bool NewChat()
    {
        if (Busy)
        {
            return false;
        }
        Current = null;
        InputProblem = null;
        return true;
    }

    public void Open(string id)
    {
        if (!Busy)
        {
            Current = _conversations.FirstOrDefault(c => c.Id == id) ?? Current;
        }
    }

    public async Task DeleteAsync(string id)
    {
        if (Busy && Current?.Id == id)
        {
            return;
        }
        _conversations.RemoveAll(c => c.Id == id);
        if (Current?.Id == id)
        {
            Current = null;
        }
        await SaveConversationsAsync();
    }

    public async Task SetAnswerFromDocumentsAsync(bool on)
    {
        Settings.AnswerFromDocuments = on;
        if (on)
        {
            await LoadCollectionsAsync();
        }
        await SaveSettingsAsync();
    }

    public async Task SetCollectionAsync(string collection)
    {
        Settings.Collection = collection;
        await SaveSettingsAsync();
    }

    public async Task SaveSettingsAsync()
    {
        if (!await store.SaveSettingsAsync(Settings))
        {
            AddNotice("The chat settings could not be saved in this browser.");
        }
    }

    public void DismissNotices() => _notices.Clear();

    private async Task LoadCollectionsAsync()
    {
        try
        {
            Collections = [.. (await documents.ListCollectionsAsync(CancellationToken.None)).Select(c => c.Name)];
            DocumentsProblem = null;
            if (Settings.Collection is null || !Collections.Contains(Settings.Collection))
            {
                Settings.Collection = Collections.FirstOrDefault();
            }
        }
        catch (BackendCallException ex)
        {
            logger.LogWarning("Collections could not be listed: {Message}", ex.Message);
            DocumentsProblem = ex.Message;
            Settings.AnswerFromDocuments = false;
        }
    }

    private async Task SaveConversationsAsync()
    {
        await KeepWithinBoundAsync();
        if (!await store.SaveConversationsAsync(_conversations))
        {
            AddNotice("This browser's storage is full or unavailable, so the latest chat was not saved. Export the archive or delete older chats.");
        }
    }

    /// <summary>Moves the oldest chats beyond the bound to the archive, and says so.</summary>
    private async Task KeepWithinBoundAsync()
    {
        var (kept, archived) = ChatHistoryBound.Split(_conversations);
        if (archived.Count == 0)
        {
            return;
        }
        var total = await store.ArchiveAsync(archived);
        _conversations = kept;
        if (total is { } count)
        {
            ArchivedCount = count;
            AddNotice($"{archived.Count} older chat{(archived.Count == 1 ? " was" : "s were")} moved to the archive to keep the page fast " +
                $"(the list keeps {ChatLimits.MaxConversations} chats, about 1 MB). Export the archive to keep them.");
        }
        else
        {
            AddNotice($"{archived.Count} older chat{(archived.Count == 1 ? "" : "s")} no longer fit this browser's storage and were dropped from the list.");
        }
    }

    private void AddNotice(string notice)
    {
        if (!_notices.Contains(notice))
        {
            _notices.Add(notice);
        }
    }

    private Task NotifyAsync() => Changed?.Invoke() ?? Task.CompletedTask;

    private static string Title(string text) =>
        text.ReplaceLineEndings(" ") is { Length: > 48 } oneLine ? oneLine[..48] + "…" : text;

    public void Dispose() => _answering?.Cancel();
}
