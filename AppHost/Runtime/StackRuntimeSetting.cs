using System.ComponentModel;
using Microsoft.Extensions.Hosting;

namespace MlStack.AppHost.Runtime;

/// <summary>The value of MlStack:Runtime: how Chroma and Prometheus should run. Bound by name in any case, as the services' enum settings are.</summary>
[TypeConverter(typeof(SettingEnumConverter<StackRuntimeSetting>))]
public enum StackRuntimeSetting
{
    /// <summary>Containers when a container engine answers, otherwise processes.</summary>
    Auto,

    Containers,

    Processes,
}
