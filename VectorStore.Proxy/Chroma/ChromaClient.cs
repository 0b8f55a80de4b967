using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Telemetry;

namespace MlStack.VectorStore.Chroma;

/// <summary>
/// Typed client for Chroma's HTTP API v2, scoped to one tenant and database. Retries, backoff and timeouts
/// come from the HttpClient's resilience pipeline; this class turns answers into records or a ChromaException,
/// splits writes to the server's max_batch_size, and measures every call.
/// </summary>
public sealed class ChromaClient(HttpClient http, IOptions<ChromaOptions> options, VectorStoreMetrics metrics, ILogger<ChromaClient> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ChromaOptions _options = options.Value;
    private int _maxBatchSize;

    private string DatabasePath => $"api/v2/tenants/{_options.Tenant}/databases/{_options.Database}";

    /// <summary>Creates the tenant and database when missing (a 409 means they exist).</summary>
    public async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await SendAsync("create_tenant", HttpMethod.Post, "api/v2/tenants", new ChromaNamed(_options.Tenant), ct, HttpStatusCode.Conflict);
        await SendAsync("create_database", HttpMethod.Post, $"api/v2/tenants/{_options.Tenant}/databases", new ChromaNamed(_options.Database), ct, HttpStatusCode.Conflict);
    }

    /// <summary>The largest number of records one write may carry, from the server's pre-flight checks.</summary>
    public async Task<int> GetMaxBatchSizeAsync(CancellationToken ct)
    {
        if (_maxBatchSize > 0) return _maxBatchSize;
        var preFlight = await SendAsync<ChromaPreFlight>("pre_flight_checks", HttpMethod.Get, "api/v2/pre-flight-checks", null, ct);
        _maxBatchSize = Math.Max(1, preFlight.MaxBatchSize);
        return _maxBatchSize;
    }

    public Task<ChromaCollection> GetOrCreateCollectionAsync(string name, Dictionary<string, JsonNode?> metadata, CancellationToken ct) =>
        SendAsync<ChromaCollection>("create_collection", HttpMethod.Post, $"{DatabasePath}/collections",
            new ChromaCreateCollection(name, metadata, GetOrCreate: true), ct);

    /// <summary>The collection, or null when Chroma has none of that name.</summary>
    public async Task<ChromaCollection?> FindCollectionAsync(string name, CancellationToken ct)
    {
        try
        {
            return await SendAsync<ChromaCollection>("get_collection", HttpMethod.Get, $"{DatabasePath}/collections/{Uri.EscapeDataString(name)}", null, ct);
        }
        catch (ChromaException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<ChromaCollection>> ListCollectionsAsync(CancellationToken ct)
    {
        var all = new List<ChromaCollection>();
        const int page = 100;
        while (true)
        {
            var batch = await SendAsync<List<ChromaCollection>>("list_collections", HttpMethod.Get,
                $"{DatabasePath}/collections?limit={page}&offset={all.Count}", null, ct);
            all.AddRange(batch);
            if (batch.Count < page) return all;
        }
    }

    /// <summary>Deletes the collection; false when it did not exist.</summary>
    public async Task<bool> DeleteCollectionAsync(string name, CancellationToken ct)
    {
        try
        {
            await SendAsync("delete_collection", HttpMethod.Delete, $"{DatabasePath}/collections/{Uri.EscapeDataString(name)}", null, ct);
            return true;
        }
        catch (ChromaException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Replaces the collection's metadata (Chroma keeps none of the old keys).</summary>
    public Task UpdateCollectionMetadataAsync(string collectionId, Dictionary<string, JsonNode?> metadata, CancellationToken ct) =>
        SendAsync("update_collection", HttpMethod.Put, $"{DatabasePath}/collections/{collectionId}", new ChromaUpdateCollection(metadata), ct);

    public Task<int> CountAsync(string collectionId, CancellationToken ct) =>
        SendAsync<int>("count", HttpMethod.Get, $"{DatabasePath}/collections/{collectionId}/count", null, ct);

    /// <summary>Writes records in batches no larger than the server accepts; upsert makes a repeated write harmless.</summary>
    public async Task UpsertAsync(string collectionId, IReadOnlyList<ChromaRecord> records, CancellationToken ct)
    {
        var batchSize = await GetMaxBatchSizeAsync(ct);
        foreach (var batch in records.Chunk(batchSize))
        {
            var body = new ChromaUpsert(
                batch.Select(r => r.Id).ToList(),
                batch.Select(r => r.Embedding).ToList(),
                batch.Select(r => r.Document).ToList(),
                batch.Select(r => r.Metadata).ToList());
            await SendAsync("upsert", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/upsert", body, ct);
        }
    }

    /// <summary>Reads every matching record (ids, texts and metadata), page by page.</summary>
    public async Task<ChromaGetResult> GetAsync(string collectionId, JsonObject? where, bool includeDocuments, CancellationToken ct)
    {
        var pageSize = await GetMaxBatchSizeAsync(ct);
        var include = includeDocuments ? new[] { "metadatas", "documents" } : new[] { "metadatas" };
        var result = new ChromaGetResult([], includeDocuments ? [] : null, []);
        while (true)
        {
            var page = await SendAsync<ChromaGetResult>("get", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/get",
                new ChromaGet(null, where?.DeepClone().AsObject(), pageSize, result.Ids.Count, include), ct);
            result.Ids.AddRange(page.Ids);
            result.Metadatas!.AddRange(page.Metadatas ?? []);
            if (includeDocuments) result.Documents!.AddRange(page.Documents ?? []);
            if (page.Ids.Count < pageSize) return result;
        }
    }

    /// <summary>The records with these ids (metadata only); ids Chroma does not have are left out.</summary>
    public Task<ChromaGetResult> GetByIdsAsync(string collectionId, IReadOnlyList<string> ids, CancellationToken ct) =>
        SendAsync<ChromaGetResult>("get", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/get",
            new ChromaGet(ids, null, null, null, ["metadatas"]), ct);

    public Task<ChromaQueryResult> QueryAsync(string collectionId, float[] embedding, int nResults, JsonObject? where, CancellationToken ct) =>
        SendAsync<ChromaQueryResult>("query", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/query",
            new ChromaQuery([embedding], nResults, where, ["metadatas", "documents", "distances"]), ct);

    public Task DeleteAsync(string collectionId, JsonObject where, CancellationToken ct) =>
        SendAsync("delete", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/delete", new ChromaDelete(null, where), ct);

    public async Task DeleteIdsAsync(string collectionId, IReadOnlyList<string> ids, CancellationToken ct)
    {
        var batchSize = await GetMaxBatchSizeAsync(ct);
        foreach (var batch in ids.Chunk(batchSize))
        {
            await SendAsync("delete", HttpMethod.Post, $"{DatabasePath}/collections/{collectionId}/delete", new ChromaDelete(batch, null), ct);
        }
    }

    private async Task<T> SendAsync<T>(string operation, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendRawAsync(operation, method, path, body, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, ct)
                ?? throw new ChromaException(operation, response.StatusCode, "empty answer");
        }
        catch (JsonException ex)
        {
            metrics.ChromaError(operation, "bad_response");
            throw new ChromaException(operation, response.StatusCode, "answer was not the expected JSON", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            metrics.ChromaError(operation, "unavailable");
            throw new ChromaException(operation, null, "connection lost while reading the answer", ex);
        }
    }

    private async Task SendAsync(string operation, HttpMethod method, string path, object? body, CancellationToken ct, HttpStatusCode? alsoAccept = null)
    {
        try
        {
            using var _ = await SendRawAsync(operation, method, path, body, ct);
        }
        catch (ChromaException ex) when (alsoAccept is not null && ex.StatusCode == alsoAccept)
        {
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(string operation, HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            metrics.ChromaCall(operation, "unavailable", Stopwatch.GetElapsedTime(started));
            metrics.ChromaError(operation, "unavailable");
            logger.LogWarning(ex, "Chroma {Operation} did not answer after retries", operation);
            throw new ChromaException(operation, null, "Chroma did not answer (after retries)", ex);
        }

        if (response.IsSuccessStatusCode)
        {
            metrics.ChromaCall(operation, "ok", Stopwatch.GetElapsedTime(started));
            return response;
        }

        using (response)
        {
            var status = response.StatusCode;
            var message = await ReadErrorAsync(response, ct);
            // "Not found" and "already exists" are answers the store expects, not Chroma errors.
            var expected = status is HttpStatusCode.NotFound or HttpStatusCode.Conflict;
            metrics.ChromaCall(operation, expected ? "refused" : "error", Stopwatch.GetElapsedTime(started));
            if (!expected) metrics.ChromaError(operation, ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw new ChromaException(operation, status, message);
        }
    }

    private static async Task<string> ReadErrorAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        try
        {
            var error = JsonSerializer.Deserialize<ChromaError>(text, Json);
            if (!string.IsNullOrWhiteSpace(error?.Message)) return error.Message;
        }
        catch (JsonException)
        {
        }
        return $"HTTP {(int)response.StatusCode}";
    }
}
