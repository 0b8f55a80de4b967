using System.ComponentModel;

namespace MlStack.Inference.Execution;

/// <summary>
/// The provider Execution:Provider asks for; <see cref="OrtSessionFactory"/> decides from it the
/// <see cref="ExecutionProviderKind"/> that models really run on.
/// </summary>
[TypeConverter(typeof(SettingEnumConverter<ExecutionProviderPreference>))]
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when it loads, else CPU, with the reason logged and exported.</summary>
    Auto,

    /// <summary>CUDA or nothing: models do not start where the CUDA provider cannot load.</summary>
    Cuda,

    Cpu,
}
