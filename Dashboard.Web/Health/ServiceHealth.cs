namespace MlStack.Dashboard.Health;

public enum ServiceHealthStatus { Healthy, Degraded, Unhealthy, Unreachable }

public sealed record ServiceHealth(string Name, Uri Address, ServiceHealthStatus Status, string Detail, TimeSpan Elapsed);
