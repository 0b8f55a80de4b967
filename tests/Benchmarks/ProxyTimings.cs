using System.Globalization;

namespace MlStack.Benchmarks;

/// <summary>
/// The proxy's own histograms (its /metrics, Prometheus text), read before and after a phase: the mean time per query
/// of the whole query, of its Embed call and of its Chroma calls. Against what the client measured, that separates
/// the hop to the proxy from the proxy's work and from the servers behind it.
/// </summary>
internal sealed class ProxyTimings(HttpClient http, string metricsUrl)
{
    private static readonly (string Part, string Metric, string? Label)[] Parts =
    [
        ("gRPC request in the proxy", "http_server_request_duration_seconds", "VectorStore/Query\""),
        ("query in the proxy", "mlstack_vectorstore_query_duration_seconds", null),
        ("of which Embed", "mlstack_vectorstore_embed_duration_seconds", null),
        ("Chroma query", "mlstack_vectorstore_chroma_duration_seconds", "operation=\"query\""),
        ("other Chroma calls", "mlstack_vectorstore_chroma_duration_seconds", "!operation=\"query\""),
    ];

    /// <summary>Methods the proxy's runtime has compiled so far (dotnet.jit.compiled_methods).</summary>
    public async Task<double> CompiledMethodsAsync()
    {
        var text = await http.GetStringAsync(metricsUrl);
        return text.Split('\n').Where(l => l.StartsWith("dotnet_jit_compiled_methods", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    public async Task<Dictionary<string, double>> ReadAsync()
    {
        var text = await http.GetStringAsync(metricsUrl);
        var totals = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || line.Length == 0) continue;
            foreach (var (part, metric, label) in Parts)
            {
                foreach (var suffix in new[] { "_sum", "_count" })
                {
                    if (!line.StartsWith(metric + suffix, StringComparison.Ordinal) || !Matches(line, label)) continue;
                    var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                    totals[part + suffix] = totals.GetValueOrDefault(part + suffix) + value;
                }
            }
        }
        return totals;
    }

    /// <summary>Milliseconds per proxy query of each part since <paramref name="before"/>.</summary>
    public async Task<IReadOnlyList<(string Part, double Ms)>> MeanSince(Dictionary<string, double> before)
    {
        var after = await ReadAsync();
        double Delta(string key) => after.GetValueOrDefault(key) - before.GetValueOrDefault(key);
        var queries = Delta(Parts[1].Part + "_count");
        return queries == 0 ? [] : Parts.Select(p => (p.Part, Delta(p.Part + "_sum") * 1000 / queries)).ToList();
    }

    private static bool Matches(string line, string? label) => label switch
    {
        null => true,
        ['!', .. var rest] => !line.Contains(rest, StringComparison.Ordinal),
        _ => line.Contains(label, StringComparison.Ordinal),
    };
}
