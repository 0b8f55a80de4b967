namespace MlStack.Benchmarks.GenAI;

/// <summary>The process's peak resident set (VmHWM): native allocations included, which the GC cannot see.</summary>
internal static class PeakResidentMemory
{
    public static long Bytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        return -1;
    }
}
