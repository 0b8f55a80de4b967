using Microsoft.Extensions.Options;
using MlStack.VectorStore.Chroma;

namespace Microsoft.Extensions.Hosting;

public static class ChromaExtensions
{
    public static WebApplicationBuilder AddChromaClient(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChromaOptions>()
            .Bind(builder.Configuration.GetSection(ChromaOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddHttpClient(ChromaClientNames.Health, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<ChromaOptions>>().Value;
                client.BaseAddress = options.BaseAddress;
                client.Timeout = TimeSpan.FromSeconds(5);
            })
            .RemoveAllResilienceHandlers();

        builder.Services.AddHealthChecks().AddCheck<ChromaHeartbeatHealthCheck>("chroma");
        return builder;
    }
}
