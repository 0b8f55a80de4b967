using System.Text.Json;
using System.Text.Json.Serialization;
using MlStack.Inference.Batching;

namespace MlStack.Inference.Repository;

/// <summary>
/// &lt;repository&gt;/&lt;model&gt;/model.json. Inputs and outputs default to what the ONNX graph declares;
/// listing them restricts or documents them. Shared with text generation: "task" decides who serves the model.
/// </summary>
public sealed class ModelConfig
{
    public const string FileName = "model.json";

    public const string EmbeddingTask = "embedding";
    public const string TensorTask = "tensor";
    public const string TextGenerationTask = "text-generation";

    public string Task { get; set; } = TensorTask;

    /// <summary>What the model is, for listings.</summary>
    public string? Description { get; set; }

    public string Platform { get; set; } = "onnxruntime_onnx";

    /// <summary>0: the model has no batch dimension and every request runs alone.</summary>
    public int MaxBatchSize { get; set; }

    public List<TensorConfig>? Inputs { get; set; }

    public List<TensorConfig>? Outputs { get; set; }

    /// <summary>Absent: requests are not merged (each runs alone, still through the model's queue).</summary>
    public DynamicBatchingConfig? DynamicBatching { get; set; }

    public TokenizerConfig? Tokenizer { get; set; }

    /// <summary>Embedding models: "mean" (attention-mask aware), "cls" or "last_token"; a sentence-transformers folder's 1_Pooling decides instead.</summary>
    public string Pooling { get; set; } = "mean";

    /// <summary>Embedding models: longer inputs are truncated to this many tokens, special tokens included.</summary>
    public int MaxSequenceLength { get; set; } = 512;

    /// <summary>
    /// The largest size a ModelInfer request may give any variable (-1) dimension other than the batch, the sequence
    /// length included. Unset: max_sequence_length for embedding models, <see cref="DefaultMaxDimensionSize"/> otherwise.
    /// </summary>
    public long? MaxDimensionSize { get; set; }

    public const long DefaultMaxDimensionSize = 8192;

    /// <summary>The limit on every variable non-batch dimension of a request's inputs.</summary>
    [JsonIgnore]
    public long VariableDimensionLimit => MaxDimensionSize ?? (Task == EmbeddingTask ? MaxSequenceLength : DefaultMaxDimensionSize);

    public VersionPolicyConfig? VersionPolicy { get; set; }

    /// <summary>
    /// How requests that name no version are shared between the served versions, e.g. { "1": 90, "2": 10 }
    /// (A/B tests, canaries). Served versions it leaves out get no such traffic, only requests that name them.
    /// Absent: the latest served version takes it all.
    /// </summary>
    public Dictionary<string, double>? VersionWeights { get; set; }

    /// <summary>Text-generation models: how many sequences run and wait, and their KV cache; unset fields take the Generation section's.</summary>
    public GenerationSchedulingConfig? Generation { get; set; }

    /// <summary>
    /// A text-generation model's tool-call syntax: hermes, llama3_json, mistral, gpt_oss or none; absent: detected
    /// from its chat template and tokenizer.
    /// </summary>
    public string? ToolCallParser { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static ModelConfig Read(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>A configuration from JSON text (a model.json, or the override of a load request).</summary>
    public static ModelConfig Parse(string json, string source)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelConfig>(json, Json) ?? throw new InvalidDataException($"{source} is empty.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source} is not a valid model configuration: {error.Message}", error);
        }
    }

    /// <summary>
    /// What a loaded version depends on: everything but the version policy and weights, which only choose and share
    /// versions. A reload keeps a loaded version whose fingerprint (and model file) did not change.
    /// </summary>
    public string LoadFingerprint()
    {
        var policy = VersionPolicy;
        var weights = VersionWeights;
        try
        {
            VersionPolicy = null;
            VersionWeights = null;
            return JsonSerializer.Serialize(this, Json);
        }
        finally
        {
            VersionPolicy = policy;
            VersionWeights = weights;
        }
    }

    /// <summary>How the model's queues form batches; <paramref name="batchingAllowed"/> false runs every request alone.</summary>
    public BatchingSettings ToBatchingSettings(bool batchingAllowed)
    {
        var dynamic = batchingAllowed ? DynamicBatching : null;
        return new BatchingSettings(
            Enabled: dynamic is not null && MaxBatchSize > 0,
            MaxBatchSize: Math.Max(1, MaxBatchSize),
            PreferredBatchSizes: (dynamic?.PreferredBatchSize ?? []).Order().ToArray(),
            MaxQueueDelay: TimeSpan.FromMicroseconds(dynamic?.MaxQueueDelayMicroseconds ?? 0),
            MaxQueueSize: DynamicBatching?.MaxQueueSize ?? 0);
    }

    /// <summary>Checks the settings a model cannot run without; the message names the field.</summary>
    public void Validate()
    {
        if (MaxBatchSize < 0) throw new InvalidDataException("max_batch_size must be 0 or more.");
        if (MaxDimensionSize < 1) throw new InvalidDataException("max_dimension_size must be at least 1.");
        if (DynamicBatching is { } batching)
        {
            if (MaxBatchSize == 0) throw new InvalidDataException("dynamic_batching needs max_batch_size > 0.");
            if (batching.MaxQueueDelayMicroseconds < 0) throw new InvalidDataException("max_queue_delay_microseconds must be 0 or more.");
            if (batching.MaxQueueSize < 0) throw new InvalidDataException("max_queue_size must be 0 (unbounded) or more.");
            foreach (var size in batching.PreferredBatchSize ?? [])
            {
                if (size < 1 || size > MaxBatchSize)
                    throw new InvalidDataException($"preferred_batch_size {size} is outside 1..max_batch_size ({MaxBatchSize}).");
            }
        }
        if (Task == EmbeddingTask)
        {
            if (Tokenizer?.Vocab is null) throw new InvalidDataException("An embedding model needs tokenizer.vocab.");
            if (Pooling is not ("mean" or "cls" or "last_token")) throw new InvalidDataException("pooling must be mean, cls or last_token.");
            if (MaxSequenceLength < 2) throw new InvalidDataException("max_sequence_length must be at least 2.");
        }
        else if (Task != TensorTask && Task != TextGenerationTask)
        {
            throw new InvalidDataException($"task must be {EmbeddingTask}, {TensorTask} or {TextGenerationTask}, not '{Task}'.");
        }
        Generation?.Validate();
        if (VersionWeights is { } weights)
        {
            foreach (var (version, weight) in weights)
            {
                if (!long.TryParse(version, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) || number < 1)
                    throw new InvalidDataException($"version_weights has key '{version}'; keys are version numbers (1, 2, ...).");
                if (!double.IsFinite(weight) || weight < 0)
                    throw new InvalidDataException($"version_weights gives version {version} the weight {weight}; weights are finite numbers >= 0.");
            }
            if (weights.Values.Sum() <= 0)
                throw new InvalidDataException("version_weights must give at least one version a weight above 0.");
        }
    }
}

/// <summary>model.json "generation": the batching scheduler of a text-generation model; 0 or absent takes the service's setting.</summary>
public sealed class GenerationSchedulingConfig
{
    /// <summary>Sequences decoded together at most (one ONNX Runtime run per step for all of them).</summary>
    public int MaxConcurrentSequences { get; set; }

    /// <summary>Requests that may wait for a place; beyond it RESOURCE_EXHAUSTED.</summary>
    public int? MaxWaitingRequests { get; set; }

    /// <summary>KV cache slots (tokens, padding included) the running sequences may hold together.</summary>
    public int KvCacheTokens { get; set; }

    /// <summary>Prompt tokens prefilled between two decoder steps at most (longer prompts are prefilled in chunks).</summary>
    public int PrefillChunkTokens { get; set; }

    public void Validate()
    {
        if (MaxConcurrentSequences < 0) throw new InvalidDataException("generation.max_concurrent_sequences must be 1 or more (0: the service's setting).");
        if (MaxWaitingRequests < 0) throw new InvalidDataException("generation.max_waiting_requests must be 0 or more.");
        if (KvCacheTokens < 0) throw new InvalidDataException("generation.kv_cache_tokens must be 1 or more (0: the service's setting).");
        if (PrefillChunkTokens < 0) throw new InvalidDataException("generation.prefill_chunk_tokens must be 1 or more (0: the service's setting).");
    }
}

public sealed class TensorConfig
{
    public string Name { get; set; } = "";
    public string? DataType { get; set; }
    public long[]? Dims { get; set; }
}

public sealed class DynamicBatchingConfig
{
    public int[]? PreferredBatchSize { get; set; }
    public long MaxQueueDelayMicroseconds { get; set; }

    /// <summary>0: unbounded.</summary>
    public int MaxQueueSize { get; set; }
}

public sealed class TokenizerConfig
{
    public string? Vocab { get; set; }
    public bool Lowercase { get; set; } = true;
}

/// <summary>Exactly one of latest / all / specific; none means latest with one version.</summary>
public sealed class VersionPolicyConfig
{
    public LatestPolicy? Latest { get; set; }
    public object? All { get; set; }
    public SpecificPolicy? Specific { get; set; }

    public sealed class LatestPolicy
    {
        public int NumVersions { get; set; } = 1;
    }

    public sealed class SpecificPolicy
    {
        public long[] Versions { get; set; } = [];
    }

    /// <summary>The versions to serve out of those present on disk.</summary>
    public static IReadOnlyList<long> Select(VersionPolicyConfig? policy, IReadOnlyList<long> available)
    {
        var sorted = available.Order().ToArray();
        if (policy?.Specific is { } specific) return sorted.Where(specific.Versions.Contains).ToArray();
        if (policy?.All is not null) return sorted;
        var count = Math.Max(1, policy?.Latest?.NumVersions ?? 1);
        return sorted.TakeLast(count).ToArray();
    }
}
