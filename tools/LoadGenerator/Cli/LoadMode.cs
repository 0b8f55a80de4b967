namespace MlStack.LoadGenerator.Cli;

/// <summary>
/// Closed loop: N workers, each sending its next request when the previous one answered (the server sets the pace).
/// Open loop: requests start at a constant rate whatever the server does; latency counts from each request's
/// intended start, so time spent queued behind a slow server is reported (no coordinated omission).
/// </summary>
public enum LoadMode
{
    Closed,
    Open,
}
