using System.ComponentModel.DataAnnotations;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation;

/// <summary>Text generation settings, bound from the "Generation" section.</summary>
public sealed class GenerationOptions
{
    public const string SectionName = "Generation";

    /// <summary>Sequences decoded at the same time; each holds its own KV cache.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentSequences { get; set; } = 4;

    /// <summary>Requests that may wait for a free slot; beyond it requests get RESOURCE_EXHAUSTED.</summary>
    [Range(0, 100_000)]
    public int MaxWaitingRequests { get; set; } = 32;

    /// <summary>max_new_tokens when neither the request nor generation_config.json gives one.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxNewTokens { get; set; } = 128;

    /// <summary>At most this many stop sequences per request, each at most MaxStopSequenceLength characters.</summary>
    [Range(0, 64)]
    public int MaxStopSequences { get; set; } = 8;

    [Range(1, 4096)]
    public int MaxStopSequenceLength { get; set; } = 256;

    /// <summary>
    /// How the KV cache travels between steps: auto (IOBinding with the cache on the device under CUDA,
    /// OrtValues on CPU), iobinding or ortvalue; any case.
    /// </summary>
    public KvCacheBindingPreference KvCacheBinding { get; set; } = KvCacheBindingPreference.Auto;

    /// <summary>The model used when a request names none; empty = the first generator by name.</summary>
    public string? DefaultModel { get; set; }
}
