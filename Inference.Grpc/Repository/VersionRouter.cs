using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace MlStack.Inference.Repository;

/// <summary>
/// Chooses the version for a request that names none, from model.json's version_weights (A/B tests, canaries).
/// Without a conversation key each request draws a version with probability weight / total. With one, the version
/// is a weighted rendezvous hash of the key: the same conversation keeps its version, the shares still follow the
/// weights, and changing the weights moves only as many conversations as the change requires.
/// </summary>
public sealed class VersionRouter
{
    private readonly long[] _versions;
    private readonly double[] _weights;
    private readonly double _total;
    private readonly Random _random;

    private VersionRouter(IEnumerable<KeyValuePair<long, double>> weights, Random random)
    {
        var positive = weights.Where(w => w.Value > 0).OrderBy(w => w.Key).ToArray();
        _versions = positive.Select(w => w.Key).ToArray();
        _weights = positive.Select(w => w.Value).ToArray();
        _total = _weights.Sum();
        _random = random;
    }

    /// <summary>Version → weight, for the versions that take unpinned traffic.</summary>
    public IReadOnlyDictionary<long, double> Weights => _versions.Zip(_weights).ToDictionary(p => p.First, p => p.Second);

    /// <summary>
    /// The router for the versions a model serves: its version_weights, or everything to the latest version when it
    /// has none. A weight for a version that is not served is an error naming both.
    /// </summary>
    public static VersionRouter Create(IReadOnlyDictionary<string, double>? configured, IReadOnlyCollection<long> served, Random? random = null)
    {
        random ??= Random.Shared;
        if (configured is null || configured.Count == 0)
        {
            return new VersionRouter([new(served.Max(), 1)], random);
        }
        var weights = new Dictionary<long, double>();
        foreach (var (text, weight) in configured)
        {
            var version = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            if (!served.Contains(version))
                throw new InvalidDataException(
                    $"version_weights gives weight to version {version}, which is not served (the version policy serves {string.Join(", ", served.Order())}).");
            weights[version] = weight;
        }
        if (weights.Values.All(w => w <= 0))
            throw new InvalidDataException("version_weights must give at least one served version a weight above 0.");
        return new VersionRouter(weights, random);
    }

    /// <summary>The version for a request that names none; the same for every request with the same conversation key.</summary>
    public long Pick(string? conversationKey) =>
        string.IsNullOrEmpty(conversationKey) ? Draw() : Rendezvous(conversationKey);

    private long Draw()
    {
        double point;
        lock (_random)
        {
            point = _random.NextDouble() * _total;
        }
        for (var i = 0; i < _versions.Length; i++)
        {
            point -= _weights[i];
            if (point < 0) return _versions[i];
        }
        return _versions[^1];
    }

    /// <summary>Weighted rendezvous hashing: the largest weight / -ln(u) wins, u uniform per (key, version).</summary>
    private long Rendezvous(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var best = 0;
        var bestScore = double.NegativeInfinity;
        for (var i = 0; i < _versions.Length; i++)
        {
            var hash = XxHash3.HashToUInt64(bytes, _versions[i]);
            var uniform = ((hash >> 11) + 0.5) / (1UL << 53); // in (0, 1)
            var score = _weights[i] / -Math.Log(uniform);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        return _versions[best];
    }
}
