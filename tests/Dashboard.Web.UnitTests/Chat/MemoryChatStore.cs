using System.Text.Json;
using MlStack.Dashboard.Services.Chat;

namespace MlStack.Dashboard.UnitTests.Chat;

/// <summary>
/// The chat store as localStorage holds it, in memory: values are kept as the JSON the browser would hold, so an
/// unreadable value and a round trip behave as they do in the page.
/// </summary>
public sealed class MemoryChatStore : IChatStore
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? ConversationsJson { get; set; }

    public string? SettingsJson { get; set; }

    public string? SetAside { get; private set; }

    public List<Conversation> Archive { get; } = [];

    public int Saves { get; private set; }

    public List<Conversation> Saved => ConversationsJson is null ? [] : JsonSerializer.Deserialize<List<Conversation>>(ConversationsJson, Json)!;

    public Task<StoredValue<List<Conversation>>> LoadConversationsAsync() => Task.FromResult(Read<List<Conversation>>(ConversationsJson, v => ConversationsJson = v));

    public Task<bool> SaveConversationsAsync(IReadOnlyList<Conversation> conversations)
    {
        Saves++;
        ConversationsJson = JsonSerializer.Serialize(conversations, Json);
        return Task.FromResult(true);
    }

    public Task<StoredValue<ChatSettings>> LoadSettingsAsync() => Task.FromResult(Read<ChatSettings>(SettingsJson, v => SettingsJson = v));

    public Task<bool> SaveSettingsAsync(ChatSettings settings)
    {
        SettingsJson = JsonSerializer.Serialize(settings, Json);
        return Task.FromResult(true);
    }

    public Task<int?> ArchiveAsync(IReadOnlyList<Conversation> conversations)
    {
        Archive.InsertRange(0, conversations);
        return Task.FromResult<int?>(Archive.Count);
    }

    private StoredValue<T> Read<T>(string? json, Action<string?> clear) where T : class
    {
        if (json is null)
        {
            return new(null, false);
        }
        try
        {
            return new(JsonSerializer.Deserialize<T>(json, Json), false);
        }
        catch (JsonException)
        {
            SetAside = json;
            clear(null);
            return new(null, true);
        }
    }
}
