using System.ComponentModel.DataAnnotations;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.Generation;

/// <summary>
/// Text generation settings, bound from the "Generation" section. The batching settings are each model's defaults:
/// a model's model.json "generation" object overrides them (max_concurrent_sequences, max_waiting_requests,
/// kv_cache_tokens, prefill_chunk_tokens).
/// </summary>
public sealed class GenerationOptions
{
    public const string SectionName = "Generation";

    /// <summary>Sequences of one model version decoded together at most; every decoder step runs them all in one ONNX Runtime run.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentSequences { get; set; } = 16;

    /// <summary>Requests of one model version that may wait for a place; beyond it requests get RESOURCE_EXHAUSTED.</summary>
    [Range(0, 100_000)]
    public int MaxWaitingRequests { get; set; } = 32;

    /// <summary>
    /// KV cache positions (tokens, padding included) the sequences of one model version may hold together; a request
    /// waits until its prompt and max_new_tokens fit. 0: MaxConcurrentSequences times the model's context (no limit).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int KvCacheTokens { get; set; }

    /// <summary>
    /// Prompt tokens prefilled between two decoder steps at most: a longer prompt is prefilled in chunks, so running
    /// streams wait at most one chunk per token.
    /// </summary>
    [Range(1, 1_000_000)]
    public int PrefillChunkTokens { get; set; } = 256;

    /// <summary>
    /// Iteration-level batching: on, the running sequences of a model share one ONNX Runtime run per step; off, each
    /// runs its own (in parallel), for comparisons.
    /// </summary>
    public bool IterationBatching { get; set; } = true;

    /// <summary>
    /// Automatic prefix caching: the KV of prompt blocks is kept, and a prompt that starts with stored blocks (a chat's
    /// earlier turns, a shared system prompt, a repeated prompt) prefills only the rest. On by default, as in vLLM.
    /// Needs the cache in host memory (the CPU provider, or KvCacheBinding ortvalue); off for a cache on a device.
    /// </summary>
    public bool PrefixCaching { get; set; } = true;

    /// <summary>Prompt tokens per prefix-cache block: a prompt is matched and stored in whole blocks.</summary>
    [Range(1, 1024)]
    public int PrefixCacheBlockTokens { get; set; } = 16;

    /// <summary>
    /// Bytes the prefix cache of all generator models may hold together; beyond it the least recently used blocks
    /// that no running sequence holds are evicted.
    /// </summary>
    [Range(1L, long.MaxValue)]
    public long PrefixCacheBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>
    /// Rewrites an Optimum export's attention at load into ONNX Runtime's GroupQueryAttention, its KV cache written in
    /// place (the layout onnxruntime-genai exports), where the graph is the pattern it knows; otherwise, and for
    /// onnxruntime-genai exports, the model runs as exported. On by default: measured faster on the Qwen2.5-0.5B-shaped
    /// model (docs/benchmarks.md, "Attention fused at load"), with the same greedy ids.
    /// </summary>
    public bool FuseAttention { get; set; } = true;

    /// <summary>max_new_tokens when neither the request nor generation_config.json gives one.</summary>
    [Range(1, 1_000_000)]
    public int DefaultMaxNewTokens { get; set; } = 128;

    /// <summary>At most this many stop sequences per request, each at most MaxStopSequenceLength characters.</summary>
    [Range(0, 64)]
    public int MaxStopSequences { get; set; } = 8;

    [Range(1, 4096)]
    public int MaxStopSequenceLength { get; set; } = 256;

    /// <summary>
    /// A prompt (or a chat's messages) larger than this in UTF-8 is refused before it is tokenized; within it,
    /// tokenization stops at the model's context.
    /// </summary>
    [Range(1, 64 * 1024 * 1024)]
    public int MaxPromptBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How the KV cache travels between steps: auto (IOBinding with the cache on the device under CUDA,
    /// OrtValues on CPU), iobinding or ortvalue; any case.
    /// </summary>
    public KvCacheBindingPreference KvCacheBinding { get; set; } = KvCacheBindingPreference.Auto;

    /// <summary>The model used when a request names none; empty = the first generator by name.</summary>
    public string? DefaultModel { get; set; }
}
