namespace MlStack.Dashboard.Services.Chat;

/// <summary>
/// The bounds the chat keeps so that no input and no stored history can end the page's circuit: the browser enforces
/// them before sending, and <see cref="ChatSession"/> enforces them again on the server.
/// </summary>
public static class ChatLimits
{
    /// <summary>Characters one message may have: a long story or a page of a document, far below what reaches the circuit's limit.</summary>
    public const int MaxMessageCharacters = 16_000;

    /// <summary>
    /// The largest message the circuit accepts from the browser (SignalR's MaximumReceiveMessageSize, 32 KB by default).
    /// A message of <see cref="MaxMessageCharacters"/> is at most 6 bytes a character once JSON-escaped, and stored
    /// history is read in <see cref="StorageChunkCharacters"/> pieces, so nothing the page sends comes near it.
    /// </summary>
    public const long MaxCircuitMessageBytes = 128 * 1024;

    /// <summary>localStorage values are read in pieces of this many characters (about twice as many bytes at most once JSON-escaped).</summary>
    public const int StorageChunkCharacters = 16_000;

    /// <summary>Chats kept in the list; older ones move to the archive, which the user can export.</summary>
    public const int MaxConversations = 50;

    /// <summary>Characters of stored chats kept in the list (about 1 MB); older chats beyond it move to the archive.</summary>
    public const int MaxHistoryCharacters = 1_000_000;

    /// <summary>
    /// An endpoint that sends nothing for this long (before its first word or between two) ends the answer with an error.
    /// The settings panel states it; Stop and Esc end the call sooner.
    /// </summary>
    public static readonly TimeSpan SilenceTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long adding an endpoint waits for its GET /models.</summary>
    public static readonly TimeSpan EndpointCheckTimeout = TimeSpan.FromSeconds(5);
}
