using System.Diagnostics;
using System.Globalization;

namespace MlStack.Inference.Repository;

/// <summary>
/// The seconds each stage of a model load took, in order, for the load's log line: it tells users where load time
/// goes (ONNX Runtime's session, the tokenizer, ...) without a profiler.
/// </summary>
public sealed class LoadStages
{
    private readonly List<(string Stage, TimeSpan Took)> _stages = [];
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _last;

    public LoadStages() => _last = _started;

    /// <summary>Ends the stage running since the previous mark (or the start) under this name.</summary>
    public void Mark(string stage)
    {
        var now = Stopwatch.GetTimestamp();
        _stages.Add((stage, Stopwatch.GetElapsedTime(_last, now)));
        _last = now;
    }

    /// <summary>Records a stage that ran alongside the others (on another thread): the clock does not move.</summary>
    public void Alongside(string stage, TimeSpan took) => _stages.Add((stage, took));

    public TimeSpan Total => Stopwatch.GetElapsedTime(_started, _last);

    public IReadOnlyList<(string Stage, TimeSpan Took)> Stages => _stages;

    /// <summary>"session 3.12 s, tokenizer 0.84 s, ..." with the total last.</summary>
    public override string ToString() =>
        string.Join(", ", _stages.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Stage} {s.Took.TotalSeconds:F2} s")))
        + string.Create(CultureInfo.InvariantCulture, $"; total {Total.TotalSeconds:F2} s");
}
