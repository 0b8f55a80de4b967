namespace MlStack.Dashboard.Health;

public enum ServiceHealthStatus { Healthy, Degraded, Unhealthy, Unreachable }

/// <summary>What the overview shows for one service: its status, where that was read, and the checks behind it.</summary>
public sealed record ServiceHealth(string Name, string Source, ServiceHealthStatus Status, string Detail, TimeSpan Elapsed);
