using System.Diagnostics;

namespace MlStack.Benchmarks;

/// <summary>
/// CPU time spent by a set of processes between two readings. Divided by the work done, it says what each process
/// costs per request whatever else loads the machine, which is what decides throughput on a CPU-bound host.
/// </summary>
internal sealed class ProcessCpu(IReadOnlyList<(string Name, int ProcessId)> processes)
{
    public IReadOnlyList<string> Names { get; } = processes.Select(p => p.Name).ToList();

    public TimeSpan[] Read() => processes.Select(p =>
    {
        using var process = Process.GetProcessById(p.ProcessId);
        return process.TotalProcessorTime;
    }).ToArray();

    /// <summary>Milliseconds of CPU per unit of work for each process since <paramref name="before"/>.</summary>
    public double[] PerUnitSince(TimeSpan[] before, int units) =>
        Read().Zip(before, (after, start) => (after - start).TotalMilliseconds / units).ToArray();
}
