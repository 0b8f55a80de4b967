using MlStack.Dashboard.Health;

namespace Microsoft.Extensions.Hosting;

public static class ServiceHealthExtensions
{
    public static WebApplicationBuilder AddServiceHealthOverview(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<MonitoredServiceOptions>(MonitoredServiceOptions.SectionName);
        builder.Services.AddHttpClient(ServiceHealthProbe.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(5))
            // A health probe reports what it sees now; retries would hide a failing service.
            .RemoveAllResilienceHandlers()
            .AddServiceDiscovery();
        builder.Services.AddScoped<ServiceHealthProbe>();
        return builder;
    }
}
