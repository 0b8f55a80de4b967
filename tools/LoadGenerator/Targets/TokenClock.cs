using System.Diagnostics;

namespace MlStack.LoadGenerator.Targets;

/// <summary>
/// When a stream's tokens arrived: the first one (for time to first token) and the gap before each later one
/// (inter-token latency). A message carrying several tokens spreads its gap evenly over them.
/// </summary>
public sealed class TokenClock
{
    private readonly List<double> _gapsMs = [];
    private long _last;

    public long? FirstTokenAt { get; private set; }

    public int Tokens { get; private set; }

    public IReadOnlyList<double> InterTokenGapsMs => _gapsMs;

    public void Arrived(int tokens, long timestamp)
    {
        if (tokens <= 0) return;
        if (FirstTokenAt is null)
        {
            FirstTokenAt = timestamp;
            // The first token of a multi-token message has no gap of its own; the rest of them arrived together.
            for (var i = 1; i < tokens; i++) _gapsMs.Add(0);
        }
        else
        {
            var gap = Stopwatch.GetElapsedTime(_last, timestamp).TotalMilliseconds / tokens;
            for (var i = 0; i < tokens; i++) _gapsMs.Add(gap);
        }
        _last = timestamp;
        Tokens += tokens;
    }

    public void Arrived(int tokens) => Arrived(tokens, Stopwatch.GetTimestamp());
}
