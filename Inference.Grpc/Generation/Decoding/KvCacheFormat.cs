namespace MlStack.Inference.Generation.Decoding;

/// <summary>How a decoder graph reads and writes its KV cache, which decides how the server lays the cache out.</summary>
public enum KvCacheFormat
{
    /// <summary>
    /// Optimum's exports: past_key_values.* hold exactly the positions so far and present.* come back one column
    /// per new token longer. Rows of a batch are right-aligned (left padding masked by attention_mask).
    /// </summary>
    Concatenated,

    /// <summary>
    /// onnxruntime-genai's layout (GroupQueryAttention, past_present_share_buffer): one buffer per past input,
    /// as many positions as the sequence may reach, bound as both past and present and written in place. Rows are
    /// left-aligned; each row's length comes from its attention_mask (seqlens_k), so rows of different lengths share
    /// a run without padding or position_ids.
    /// </summary>
    SharedBuffer,
}
