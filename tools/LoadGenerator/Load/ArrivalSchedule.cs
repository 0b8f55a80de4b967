namespace MlStack.LoadGenerator.Load;

/// <summary>
/// Open-loop arrivals at a constant rate: request i is meant to start at i / rate seconds after the run starts,
/// whether or not earlier requests have answered. Its latency counts from that intended start.
/// </summary>
public readonly record struct ArrivalSchedule
{
    public ArrivalSchedule(double ratePerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        RatePerSecond = ratePerSecond;
    }

    public double RatePerSecond { get; }

    /// <summary>When request <paramref name="index"/> is due, from the start of the run.</summary>
    public TimeSpan Offset(long index) => TimeSpan.FromSeconds(index / RatePerSecond);

    /// <summary>How many requests are due strictly before <paramref name="duration"/> has passed.</summary>
    public long CountWithin(TimeSpan duration) =>
        // The small epsilon keeps 2 s at 10/s at 20 requests despite binary floating point.
        (long)Math.Ceiling(duration.TotalSeconds * RatePerSecond - 1e-9);
}
