namespace MlStack.Dashboard.Services.Cost;

/// <summary>One row of the price table: an instance type and its on-demand price per hour in US dollars.</summary>
public sealed class InstancePrice
{
    public string Name { get; set; } = "";

    public decimal PricePerHour { get; set; }

    /// <summary>Rough on-demand list prices; the page lets the user edit them.</summary>
    public static List<InstancePrice> Defaults() =>
    [
        new() { Name = "ml.g5.xlarge (A10G)", PricePerHour = 1.00m },
        new() { Name = "ml.g5.2xlarge (A10G)", PricePerHour = 1.50m },
        new() { Name = "n1-standard-4 + T4", PricePerHour = 0.95m },
        new() { Name = "n1-standard-8 + A100", PricePerHour = 3.50m },
    ];
}
