namespace MlStack.Dashboard.Services.Cost;

/// <summary>What one instance of this stack served per second, and where that figure came from.</summary>
public sealed record MeasuredThroughput(double RequestsPerSecond, double TokensPerSecond, string Source);
