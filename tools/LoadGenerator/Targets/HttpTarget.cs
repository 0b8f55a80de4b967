using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace MlStack.LoadGenerator.Targets;

/// <summary>An HTTP door: posts JSON, sends the API key as `Authorization: Bearer`, and turns a non-2xx answer into its status.</summary>
public abstract class HttpTarget : ILoadTarget
{
    private readonly HttpClient _http;

    protected HttpTarget(Uri address, string? apiKey)
    {
        _http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = address,
            // Each request has its own limit (--timeout), applied by the load driver's cancellation token.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (apiKey is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
    }

    public abstract string Description { get; }

    public abstract string TokenKind { get; }

    public Uri Address => _http.BaseAddress!;

    public abstract Task<RequestOutcome> SendAsync(CancellationToken cancellationToken);

    /// <summary>Posts the body and returns the answer with its headers read; the content is the caller's to read.</summary>
    protected async Task<HttpResponseMessage> PostAsync(string path, JsonNode body, CancellationToken cancellationToken, bool streamed = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = JsonContent.Create(body) };
        if (streamed) request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpStatusException((int)response.StatusCode, text.Length > 200 ? text[..200] : text);
        }
    }

    /// <summary>Posts the body and parses the JSON answer.</summary>
    protected async Task<JsonNode> PostForJsonAsync(string path, JsonNode body, CancellationToken cancellationToken)
    {
        using var response = await PostAsync(path, body, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonNode.ParseAsync(stream, cancellationToken: cancellationToken)
            ?? throw new BadResponseException($"{path} answered JSON null");
    }

    /// <summary>A required member of a JSON answer, or a bad-response failure naming it.</summary>
    protected static JsonNode Required(JsonNode? node, string name) =>
        node?[name] ?? throw new BadResponseException($"the answer has no '{name}'");

    protected static long TokensOrZero(JsonNode? usage, string name) =>
        usage?[name] is JsonValue value && value.TryGetValue<long>(out var tokens) ? tokens : 0;

    protected static JsonArray Strings(IEnumerable<string> texts) => new([.. texts.Select(t => (JsonNode?)JsonValue.Create(t))]);

    public ValueTask DisposeAsync()
    {
        _http.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
