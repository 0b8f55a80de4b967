using System.ComponentModel.DataAnnotations;

namespace MlStack.Dashboard.Services.Chat;

/// <summary>An OpenAI-compatible chat endpoint: a local Ollama (http://localhost:11434/v1), vLLM, or another MlStack.</summary>
public sealed class ChatEndpoint
{
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$", ErrorMessage = "Use 1-40 letters, digits, spaces, '.', '_' or '-'.")]
    public string Name { get; set; } = "";

    /// <summary>The API base, usually ending in /v1.</summary>
    [Required]
    public Uri? BaseAddress { get; set; }

    [Required]
    public string Model { get; set; } = "";

    /// <summary>Optional; sent as a Bearer token. Kept on the server, never sent to the browser.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Set by the operator's configuration: shown, but not removable from the page.</summary>
    public bool FromConfiguration { get; set; }

    public ChatBackend ToBackend() => new(ChatBackendKind.OpenAiCompatible, Model, $"{Name} · {BaseAddress}", EndpointName: Name);
}

/// <summary>Endpoints the operator configures (Dashboard:ChatEndpoints); users may add more from the chat settings.</summary>
public sealed class ChatEndpointOptions
{
    public const string SectionName = "Dashboard";

    public List<ChatEndpoint> ChatEndpoints { get; set; } = [];
}
