using System.Text.Json;
using Microsoft.JSInterop;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Chats and chat settings in the browser's localStorage, so they are per browser and survive a reload; the server
/// keeps none of them. Values are read in pieces of <see cref="ChatLimits.StorageChunkCharacters"/>, so a history of
/// any size never crosses the circuit as one oversized message. Only callable once the page is interactive.
/// </summary>
public sealed class BrowserChatStorage(IJSRuntime js, ILogger<BrowserChatStorage> logger) : IChatStore
{
    public const string ConversationsKey = "mlstack.chat.conversations";
    public const string SettingsKey = "mlstack.chat.settings";
    public const string ArchiveKey = "mlstack.chat.archive";

    /// <summary>Where an unreadable value is moved: kept, not lost, and out of the page's way.</summary>
    public const string UnreadableSuffix = ".unreadable";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<StoredValue<List<Conversation>>> LoadConversationsAsync()
    {
        var read = await ReadAsync<List<Conversation>>(ConversationsKey);
        return read with { Value = read.Value?.Where(c => c is { Id.Length: > 0, Messages: not null }).ToList() };
    }

    public Task<bool> SaveConversationsAsync(IReadOnlyList<Conversation> conversations) => WriteAsync(ConversationsKey, conversations);

    public Task<StoredValue<ChatSettings>> LoadSettingsAsync() => ReadAsync<ChatSettings>(SettingsKey);

    public Task<bool> SaveSettingsAsync(ChatSettings settings) => WriteAsync(SettingsKey, settings);

    public async Task<int?> ArchiveAsync(IReadOnlyList<Conversation> conversations)
    {
        try
        {
            var total = await js.InvokeAsync<int>("mlstack.storage.archive", ArchiveKey, JsonSerializer.Serialize(conversations, Json));
            return total < 0 ? null : total;
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or TaskCanceledException)
        {
            logger.LogWarning("Archiving {Count} chats failed: {Message}", conversations.Count, ex.Message);
            return null;
        }
    }

    private async Task<StoredValue<T>> ReadAsync<T>(string key) where T : class
    {
        var text = await ReadTextAsync(key);
        if (string.IsNullOrEmpty(text))
        {
            return new StoredValue<T>(null, Unreadable: false);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json) is { } value ? new(value, false) : new(null, false);
        }
        catch (JsonException ex)
        {
            // Written by another version of the page or by hand: kept under another key, and the page starts afresh.
            logger.LogWarning("The stored {Key} could not be read ({Message}); it was set aside.", key, ex.Message);
            await js.InvokeVoidAsync("mlstack.storage.setAside", key, key + UnreadableSuffix);
            return new StoredValue<T>(null, Unreadable: true);
        }
    }

    /// <summary>The stored text, read in pieces from a snapshot the script takes, so a change between pieces cannot tear it.</summary>
    private async Task<string?> ReadTextAsync(string key)
    {
        var snapshot = await js.InvokeAsync<StorageSnapshot?>("mlstack.storage.snapshot", key);
        if (snapshot is null)
        {
            return null;
        }
        try
        {
            var text = new System.Text.StringBuilder(snapshot.Length);
            while (text.Length < snapshot.Length)
            {
                text.Append(await js.InvokeAsync<string>("mlstack.storage.read", snapshot.Id, text.Length, ChatLimits.StorageChunkCharacters));
            }
            return text.ToString();
        }
        finally
        {
            await js.InvokeVoidAsync("mlstack.storage.release", snapshot.Id);
        }
    }

    private async Task<bool> WriteAsync<T>(string key, T value)
    {
        try
        {
            return await js.InvokeAsync<bool>("mlstack.storage.write", key, JsonSerializer.Serialize(value, Json));
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or TaskCanceledException)
        {
            logger.LogWarning("Saving {Key} in the browser failed: {Message}", key, ex.Message);
            return false;
        }
    }

    private sealed record StorageSnapshot(int Id, int Length);
}
