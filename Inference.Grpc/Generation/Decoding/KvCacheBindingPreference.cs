using System.ComponentModel;

namespace MlStack.Inference.Generation.Decoding;

/// <summary>Generation:KvCacheBinding, how the KV cache should travel; <see cref="KvCacheBindingSelector"/> decides.</summary>
[TypeConverter(typeof(SettingEnumConverter<KvCacheBindingPreference>))]
public enum KvCacheBindingPreference
{
    /// <summary>IOBinding with the cache on the device under CUDA, OrtValues on CPU.</summary>
    Auto,

    IoBinding,

    OrtValue,
}
