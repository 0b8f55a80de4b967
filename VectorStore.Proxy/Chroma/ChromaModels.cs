using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MlStack.VectorStore.Chroma;

// Wire shapes of Chroma's HTTP API v2 (snake_case JSON). Metadata values are strings, numbers or booleans.

public sealed record ChromaCollection(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("metadata")] Dictionary<string, JsonNode?>? Metadata);

public sealed record ChromaPreFlight([property: JsonPropertyName("max_batch_size")] int MaxBatchSize);

public sealed record ChromaNamed([property: JsonPropertyName("name")] string Name);

public sealed record ChromaCreateCollection(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("metadata")] Dictionary<string, JsonNode?> Metadata,
    [property: JsonPropertyName("get_or_create")] bool GetOrCreate);

public sealed record ChromaUpdateCollection([property: JsonPropertyName("new_metadata")] Dictionary<string, JsonNode?> NewMetadata);

/// <summary>One record as written: id, vector, text and flat metadata.</summary>
public sealed record ChromaRecord(string Id, float[] Embedding, string? Document, Dictionary<string, JsonNode?> Metadata);

public sealed record ChromaUpsert(
    [property: JsonPropertyName("ids")] IReadOnlyList<string> Ids,
    [property: JsonPropertyName("embeddings")] IReadOnlyList<float[]> Embeddings,
    [property: JsonPropertyName("documents")] IReadOnlyList<string?> Documents,
    [property: JsonPropertyName("metadatas")] IReadOnlyList<Dictionary<string, JsonNode?>> Metadatas);

public sealed record ChromaGet(
    [property: JsonPropertyName("ids")] IReadOnlyList<string>? Ids,
    [property: JsonPropertyName("where")] JsonObject? Where,
    [property: JsonPropertyName("limit")] int? Limit,
    [property: JsonPropertyName("offset")] int? Offset,
    [property: JsonPropertyName("include")] IReadOnlyList<string> Include);

public sealed record ChromaGetResult(
    [property: JsonPropertyName("ids")] List<string> Ids,
    [property: JsonPropertyName("documents")] List<string?>? Documents,
    [property: JsonPropertyName("metadatas")] List<Dictionary<string, JsonNode?>?>? Metadatas);

public sealed record ChromaQuery(
    [property: JsonPropertyName("query_embeddings")] IReadOnlyList<float[]> QueryEmbeddings,
    [property: JsonPropertyName("n_results")] int NResults,
    [property: JsonPropertyName("where")] JsonObject? Where,
    [property: JsonPropertyName("include")] IReadOnlyList<string> Include);

public sealed record ChromaQueryResult(
    [property: JsonPropertyName("ids")] List<List<string>> Ids,
    [property: JsonPropertyName("documents")] List<List<string?>>? Documents,
    [property: JsonPropertyName("metadatas")] List<List<Dictionary<string, JsonNode?>?>>? Metadatas,
    [property: JsonPropertyName("distances")] List<List<float?>>? Distances);

public sealed record ChromaDelete(
    [property: JsonPropertyName("ids")] IReadOnlyList<string>? Ids,
    [property: JsonPropertyName("where")] JsonObject? Where);

public sealed record ChromaError(
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("message")] string? Message);
