namespace MlStack.Benchmarks;

/// <summary>The suites' "--name value" command-line options.</summary>
internal static class BenchmarkOptions
{
    public static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static int IntOption(string[] args, string name, int fallback) => Option(args, name) is { } v ? int.Parse(v) : fallback;
}
