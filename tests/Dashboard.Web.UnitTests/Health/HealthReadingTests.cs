using MlStack.Dashboard.Health;

namespace MlStack.Dashboard.UnitTests.Health;

public sealed class HealthReadingTests
{
    [Fact]
    public void ReadsTheServiceDefaultsReport()
    {
        const string body = """{"status":"Degraded","durationMs":3.2,"checks":[{"name":"self","status":"Healthy","description":null,"durationMs":0.1},{"name":"chroma","status":"Unhealthy","description":"Chroma heartbeat did not answer","durationMs":3}]}""";

        var reading = HealthReading.Read(body, success: true);

        Assert.Equal(ServiceHealthStatus.Degraded, reading.Status);
        Assert.Equal(["self", "chroma"], reading.Checks.Select(c => c.Name));
        Assert.Equal(ServiceHealthStatus.Unhealthy, reading.Checks[1].Status);
        Assert.Equal("Chroma heartbeat did not answer", reading.Checks[1].Description);
        Assert.Equal("self: Healthy, chroma: Unhealthy", reading.Text);
    }

    [Theory]
    [InlineData("Prometheus Server is Ready.\n", true, ServiceHealthStatus.Healthy)]
    [InlineData("Service Unavailable", false, ServiceHealthStatus.Unhealthy)]
    [InlineData("[1,2,3]", true, ServiceHealthStatus.Healthy)]
    [InlineData("""{"status":42,"checks":"none"}""", false, ServiceHealthStatus.Unhealthy)]
    [InlineData("""{"status":"Sideways"}""", true, ServiceHealthStatus.Healthy)]
    [InlineData("", false, ServiceHealthStatus.Unhealthy)]
    public void AnyOtherBodyFallsBackToTheHttpStatus(string body, bool success, ServiceHealthStatus expected)
    {
        var reading = HealthReading.Read(body, success);

        Assert.Equal(expected, reading.Status);
        Assert.Empty(reading.Checks);
    }

    [Fact]
    public void LongPlainBodiesAreShortened()
    {
        var reading = HealthReading.Read(new string('x', 500), success: false);

        Assert.Equal(121, reading.Text.Length);
    }
}
