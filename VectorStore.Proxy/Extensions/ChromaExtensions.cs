using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using MlStack.VectorStore.Chroma;
using Polly;

namespace Microsoft.Extensions.Hosting;

public static class ChromaExtensions
{
    public static WebApplicationBuilder AddChromaClient(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<ChromaOptions>(ChromaOptions.SectionName);

        builder.Services.AddHttpClient(ChromaClientNames.Health, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<ChromaOptions>>().Value;
                client.BaseAddress = options.BaseAddress;
                client.Timeout = TimeSpan.FromSeconds(5);
            })
            .RemoveAllResilienceHandlers();

        // Every Chroma write is an upsert or delete by id, so retrying any call is safe. No circuit breaker:
        // after Chroma comes back the next call should go through at once.
        builder.Services.AddHttpClient<ChromaClient>((sp, client) =>
            {
                client.BaseAddress = sp.GetRequiredService<IOptions<ChromaOptions>>().Value.BaseAddress;
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .RemoveAllResilienceHandlers()
            .AddResilienceHandler("chroma", (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<ChromaOptions>>().Value;
                pipeline
                    .AddTimeout(TimeSpan.FromSeconds(options.TotalTimeoutSeconds))
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetryAttempts,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                        MaxDelay = TimeSpan.FromSeconds(5),
                    })
                    .AddTimeout(TimeSpan.FromSeconds(options.AttemptTimeoutSeconds));
            });

        builder.Services.AddSingleton<ChromaDatabaseInitializer>();
        builder.Services.AddHealthChecks().AddCheck<ChromaHeartbeatHealthCheck>("chroma");
        return builder;
    }
}
