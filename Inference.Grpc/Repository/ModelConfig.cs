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

    /// <summary>Embedding models: "mean" (attention-mask aware) or "cls".</summary>
    public string Pooling { get; set; } = "mean";

    /// <summary>Embedding models: longer inputs are truncated to this many tokens, special tokens included.</summary>
    public int MaxSequenceLength { get; set; } = 512;

    public VersionPolicyConfig? VersionPolicy { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static ModelConfig Read(string path) =>
        JsonSerializer.Deserialize<ModelConfig>(File.ReadAllText(path), Json)
        ?? throw new InvalidDataException($"{path} is empty.");

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
            if (Pooling is not ("mean" or "cls")) throw new InvalidDataException("pooling must be mean or cls.");
            if (MaxSequenceLength < 2) throw new InvalidDataException("max_sequence_length must be at least 2.");
        }
        else if (Task != TensorTask && Task != TextGenerationTask)
        {
            throw new InvalidDataException($"task must be {EmbeddingTask}, {TensorTask} or {TextGenerationTask}, not '{Task}'.");
        }
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
