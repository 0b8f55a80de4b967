using MlStack.Inference.Execution;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>How a sequence's KV cache travels between decoder steps.</summary>
public enum KvCacheBinding
{
    /// <summary>present.* OrtValues handed back as past_key_values.* (CPU).</summary>
    OrtValues,

    /// <summary>IOBinding with the cache bound to the execution provider's memory (the GPU path).</summary>
    IoBinding,
}

public static class KvCacheBindingSelector
{
    /// <summary>Auto: IOBinding when the session runs on CUDA (the cache stays on the device), else OrtValues.</summary>
    public static KvCacheBinding Select(KvCacheBindingPreference setting, ExecutionProviderKind provider) =>
        setting switch
        {
            KvCacheBindingPreference.IoBinding => KvCacheBinding.IoBinding,
            KvCacheBindingPreference.OrtValue => KvCacheBinding.OrtValues,
            _ => provider == ExecutionProviderKind.Cuda ? KvCacheBinding.IoBinding : KvCacheBinding.OrtValues,
        };
}
