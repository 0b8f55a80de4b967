namespace MlStack.Dashboard.Services.Chat;

/// <summary>A stored value as read back: the value, or null with <see cref="Unreadable"/> set when what was stored could not be read.</summary>
public sealed record StoredValue<T>(T? Value, bool Unreadable) where T : class;

/// <summary>Where the chats and the chat settings of one browser are kept (its localStorage in the app; memory in tests).</summary>
public interface IChatStore
{
    /// <summary>The stored chats; a value that cannot be read is set aside (kept under another key) and reported as unreadable.</summary>
    Task<StoredValue<List<Conversation>>> LoadConversationsAsync();

    /// <summary>False when the chats could not be saved (the browser's storage is full or gone).</summary>
    Task<bool> SaveConversationsAsync(IReadOnlyList<Conversation> conversations);

    Task<StoredValue<ChatSettings>> LoadSettingsAsync();

    Task<bool> SaveSettingsAsync(ChatSettings settings);

    /// <summary>Adds chats to the archive (kept for export, out of the list); returns how many the archive holds, or null when it could not be written.</summary>
    Task<int?> ArchiveAsync(IReadOnlyList<Conversation> conversations);
}
