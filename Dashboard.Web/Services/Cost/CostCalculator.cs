namespace MlStack.Dashboard.Services.Cost;

/// <summary>Cost per 1000 requests and per 1M generated tokens for one instance type.</summary>
public sealed record CostEstimate(string Instance, decimal EffectivePricePerHour, decimal? PerThousandRequests, decimal? PerMillionTokens);

/// <summary>
/// Prices a measured throughput: an instance billed for every hour serves its measured rate only for the fraction
/// of the time it is busy (utilisation), and a spot or preemptible discount lowers the hourly price.
/// </summary>
public static class CostCalculator
{
    public static CostEstimate Estimate(InstancePrice instance, MeasuredThroughput throughput, double spotDiscountPercent, double utilisationPercent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(spotDiscountPercent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spotDiscountPercent, 100);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(utilisationPercent, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(utilisationPercent, 100);

        var hourly = instance.PricePerHour * (decimal)(1 - spotDiscountPercent / 100);
        var busySecondsPerHour = 3600 * utilisationPercent / 100;
        return new CostEstimate(
            instance.Name,
            hourly,
            PerUnits(hourly, throughput.RequestsPerSecond * busySecondsPerHour, 1_000),
            PerUnits(hourly, throughput.TokensPerSecond * busySecondsPerHour, 1_000_000));
    }

    /// <summary>Cost per 1M tokens at each utilisation from 10 % to 100 %: the chart of cost against load.</summary>
    public static IReadOnlyList<(double UtilisationPercent, decimal? PerMillionTokens)> AgainstLoad(
        InstancePrice instance, MeasuredThroughput throughput, double spotDiscountPercent) =>
        [.. Enumerable.Range(1, 10).Select(step => step * 10.0)
            .Select(load => (load, Estimate(instance, throughput, spotDiscountPercent, load).PerMillionTokens))];

    private static decimal? PerUnits(decimal hourly, double unitsPerHour, int per) =>
        unitsPerHour > 0 ? Math.Round(hourly / (decimal)unitsPerHour * per, 6) : null;
}
