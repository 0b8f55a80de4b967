using System.Globalization;

namespace MlStack.Benchmarks;

/// <summary>What the suites share: their "--name value" options, percentiles and the machine's load.</summary>
internal static class BenchmarkSupport
{
    /// <summary>The nearest-rank percentile (p in 0..1); NaN for no values.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> values) => Percentile(values, 0.5);

    /// <summary>The 1, 5 and 15 minute load averages, reported with every figure.</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The value after --name, or the fallback.</summary>
    public static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    public static int IntOption(string[] args, string name, int fallback) =>
        int.Parse(Option(args, name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

    /// <summary>The comma-separated integers after --name, or those of the fallback.</summary>
    public static int[] IntListOption(string[] args, string name, string fallback) =>
        Option(args, name, fallback).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// --spinning off | on | run: ONNX Runtime's intra-op threads never spin, spin as ONNX Runtime does by default, or
    /// spin only inside a run (the server's default: Execution:StopSpinningBetweenRuns).
    /// </summary>
    public static (bool Allow, bool StopBetweenRuns) SpinningOption(string value) => value switch
    {
        "off" => (false, false),
        "on" => (true, false),
        "run" => (true, true),
        _ => throw new ArgumentException($"--spinning {value}: expected off, on or run"),
    };
}
