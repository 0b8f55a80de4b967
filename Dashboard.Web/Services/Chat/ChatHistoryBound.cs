namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// Keeps the chat list within <see cref="ChatLimits.MaxConversations"/> chats and <see cref="ChatLimits.MaxHistoryCharacters"/>
/// characters of text: the newest chats stay, older ones go to the archive (kept in the browser for export).
/// </summary>
public static class ChatHistoryBound
{
    public static (List<Conversation> Kept, List<Conversation> Archived) Split(IEnumerable<Conversation> conversations,
        int maxConversations = ChatLimits.MaxConversations, int maxCharacters = ChatLimits.MaxHistoryCharacters)
    {
        var kept = new List<Conversation>();
        var archived = new List<Conversation>();
        var characters = 0L;
        foreach (var conversation in conversations.OrderByDescending(c => c.UpdatedAt))
        {
            characters += Size(conversation);
            // The newest chat always stays, however large: it is the one being written.
            if (kept.Count == 0 || (kept.Count < maxConversations && characters <= maxCharacters))
            {
                kept.Add(conversation);
            }
            else
            {
                archived.Add(conversation);
            }
        }
        return (kept, archived);
    }

    /// <summary>The characters a chat's text takes: what dominates its stored size.</summary>
    public static long Size(Conversation conversation) =>
        conversation.Title.Length + conversation.Messages.Sum(m => (long)m.Text.Length + (m.Context?.Length ?? 0)
            + (m.Sources?.Sum(s => s.Text.Length + s.DocumentName.Length) ?? 0) + (m.Error?.Length ?? 0));
}
