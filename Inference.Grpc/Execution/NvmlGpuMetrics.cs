using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;

namespace MlStack.Inference.Execution;

/// <summary>
/// GPU utilisation and memory from NVIDIA's management library (libnvidia-ml.so.1, installed with the driver).
/// The gauges exist only when the library loads and reports at least one device: a host without a GPU exports
/// no GPU series at all rather than zeros that would read as an idle GPU.
/// </summary>
public sealed partial class NvmlGpuMetrics : IDisposable
{
    private const string Library = "libnvidia-ml.so.1";
    private readonly nint[] _devices;

    private NvmlGpuMetrics(nint[] devices) => _devices = devices;

    public int DeviceCount => _devices.Length;

    /// <summary>Null when NVML cannot load or sees no device; the reason says which.</summary>
    public static NvmlGpuMetrics? TryCreate(out string reason) => TryCreate(Library, out reason);

    internal static NvmlGpuMetrics? TryCreate(string library, out string reason)
    {
        try
        {
            if (!NativeLibrary.TryLoad(library, out var handle))
            {
                reason = $"{library} not found (no NVIDIA driver)";
                return null;
            }
            NativeLibrary.Free(handle);
            if (nvmlInit_v2() != 0)
            {
                reason = "nvmlInit failed";
                return null;
            }
            if (nvmlDeviceGetCount_v2(out var count) != 0 || count == 0)
            {
                nvmlShutdown();
                reason = "NVML reports no GPU";
                return null;
            }
            var devices = new nint[count];
            for (uint i = 0; i < count; i++)
            {
                if (nvmlDeviceGetHandleByIndex_v2(i, out devices[i]) != 0)
                {
                    nvmlShutdown();
                    reason = $"NVML cannot open GPU {i}";
                    return null;
                }
            }
            reason = $"{count} GPU(s)";
            return new NvmlGpuMetrics(devices);
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            reason = error.Message;
            return null;
        }
    }

    /// <summary>Adds mlstack_gpu_utilization_ratio, mlstack_gpu_memory_used_bytes and mlstack_gpu_memory_total_bytes per GPU.</summary>
    public void Register(Meter meter)
    {
        meter.CreateObservableGauge("mlstack.gpu.utilization", () => Read((device, tags) =>
            nvmlDeviceGetUtilizationRates(device, out var rates) == 0 ? new Measurement<double>(rates.Gpu / 100.0, tags) : (Measurement<double>?)null),
            unit: "1", description: "Fraction of time a GPU kernel was running over the last sample period.");
        meter.CreateObservableGauge("mlstack.gpu.memory.used", () => Read((device, tags) =>
            nvmlDeviceGetMemoryInfo(device, out var memory) == 0 ? new Measurement<long>((long)memory.Used, tags) : (Measurement<long>?)null),
            unit: "By", description: "GPU memory in use.");
        meter.CreateObservableGauge("mlstack.gpu.memory.total", () => Read((device, tags) =>
            nvmlDeviceGetMemoryInfo(device, out var memory) == 0 ? new Measurement<long>((long)memory.Total, tags) : (Measurement<long>?)null),
            unit: "By", description: "GPU memory installed.");
    }

    private IEnumerable<Measurement<T>> Read<T>(Func<nint, KeyValuePair<string, object?>[], Measurement<T>?> read) where T : struct
    {
        for (var i = 0; i < _devices.Length; i++)
        {
            if (read(_devices[i], [new("gpu", i.ToString(System.Globalization.CultureInfo.InvariantCulture))]) is { } measurement)
                yield return measurement;
        }
    }

    public void Dispose() => nvmlShutdown();

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlUtilization
    {
        public uint Gpu;
        public uint Memory;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [LibraryImport(Library)]
    private static partial int nvmlInit_v2();

    [LibraryImport(Library)]
    private static partial int nvmlShutdown();

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetCount_v2(out uint count);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetHandleByIndex_v2(uint index, out nint device);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetUtilizationRates(nint device, out NvmlUtilization utilization);

    [LibraryImport(Library)]
    private static partial int nvmlDeviceGetMemoryInfo(nint device, out NvmlMemory memory);
}
