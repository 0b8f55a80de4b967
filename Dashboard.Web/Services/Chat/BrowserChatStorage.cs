using System.Text.Json;
using Microsoft.JSInterop;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Chats and chat settings in the browser's localStorage, so they are per browser and survive a reload; the server
/// keeps none of them. Only callable once the page is interactive (after the first render).
/// </summary>
public sealed class BrowserChatStorage(IJSRuntime js)
{
    public const string ConversationsKey = "mlstack.chat.conversations";
    public const string SettingsKey = "mlstack.chat.settings";

    /// <summary>Older chats beyond this are dropped, so localStorage (about 5 MB) never fills up.</summary>
    public const int MaxConversations = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<List<Conversation>> LoadConversationsAsync() =>
        await ReadAsync<List<Conversation>>(ConversationsKey) is { } list ? [.. list.OrderByDescending(c => c.UpdatedAt)] : [];

    public Task SaveConversationsAsync(IEnumerable<Conversation> conversations) =>
        WriteAsync(ConversationsKey, conversations.OrderByDescending(c => c.UpdatedAt).Take(MaxConversations).ToList());

    public async Task<ChatSettings> LoadSettingsAsync() => await ReadAsync<ChatSettings>(SettingsKey) ?? new ChatSettings();

    public Task SaveSettingsAsync(ChatSettings settings) => WriteAsync(SettingsKey, settings);

    private async Task<T?> ReadAsync<T>(string key)
    {
        var text = await js.InvokeAsync<string?>("localStorage.getItem", key);
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }
        try
        {
            return JsonSerializer.Deserialize<T>(text, Json);
        }
        catch (JsonException)
        {
            // Written by another version of the page: start afresh rather than break the chat.
            return default;
        }
    }

    private async Task WriteAsync<T>(string key, T value) =>
        await js.InvokeVoidAsync("localStorage.setItem", key, JsonSerializer.Serialize(value, Json));
}
