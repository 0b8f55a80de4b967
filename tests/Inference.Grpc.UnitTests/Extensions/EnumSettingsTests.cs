using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlStack.Inference.Batching;
using MlStack.Inference.Execution;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;

namespace MlStack.Inference.UnitTests.Extensions;

// Execution:Provider, Generation:KvCacheBinding and EmbeddingBatching:Policy are enums bound from configuration: any case, only their
// names, and checked when the service starts (the same check the host runs, without starting Kestrel).
public sealed class EnumSettingsTests
{
    [Theory]
    [InlineData("cpu", ExecutionProviderPreference.Cpu)]
    [InlineData("CUDA", ExecutionProviderPreference.Cuda)]
    [InlineData(" Auto ", ExecutionProviderPreference.Auto)]
    public void Execution_provider_binds_in_any_case(string setting, ExecutionProviderPreference expected) =>
        Assert.Equal(expected, Start(("Execution:Provider", setting)).GetRequiredService<IOptions<ExecutionOptions>>().Value.Provider);

    [Theory]
    [InlineData("iobinding", KvCacheBindingPreference.IoBinding)]
    [InlineData("OrtValue", KvCacheBindingPreference.OrtValue)]
    [InlineData("AUTO", KvCacheBindingPreference.Auto)]
    public void Kv_cache_binding_binds_in_any_case(string setting, KvCacheBindingPreference expected) =>
        Assert.Equal(expected, Start(("Generation:KvCacheBinding", setting)).GetRequiredService<IOptions<GenerationOptions>>().Value.KvCacheBinding);

    [Theory]
    [InlineData("requests", BatchPolicy.Requests)]
    [InlineData("Tokens", BatchPolicy.Tokens)]
    public void Embedding_batch_policy_binds_in_any_case(string setting, BatchPolicy expected) =>
        Assert.Equal(expected, Start(("EmbeddingBatching:Policy", setting)).GetRequiredService<IOptions<EmbeddingBatchingOptions>>().Value.Policy);

    [Theory]
    [InlineData("0")]
    [InlineData("15")]
    [InlineData("2000000")]
    public void A_token_budget_out_of_range_stops_the_start_naming_the_setting(string budget)
    {
        var error = Assert.ThrowsAny<OptionsValidationException>(() => Start(("EmbeddingBatching:MaxBatchTokens", budget)));

        Assert.Contains("MaxBatchTokens", error.Message);
    }

    [Fact]
    public void Unset_settings_keep_their_defaults()
    {
        var services = Start();

        Assert.Equal(ExecutionProviderPreference.Auto, services.GetRequiredService<IOptions<ExecutionOptions>>().Value.Provider);
        Assert.Equal(KvCacheBindingPreference.Auto, services.GetRequiredService<IOptions<GenerationOptions>>().Value.KvCacheBinding);
        Assert.Equal(BatchPolicy.Tokens, services.GetRequiredService<IOptions<EmbeddingBatchingOptions>>().Value.Policy);
        Assert.Equal(8192, services.GetRequiredService<IOptions<EmbeddingBatchingOptions>>().Value.TokenBudget);
    }

    [Theory]
    [InlineData("Execution:Provider", "gpu", "auto, cuda, cpu")]
    [InlineData("Execution:Provider", "1", "auto, cuda, cpu")]
    [InlineData("Execution:Provider", "auto,cuda", "auto, cuda, cpu")]
    [InlineData("Generation:KvCacheBinding", "device", "auto, iobinding, ortvalue")]
    [InlineData("EmbeddingBatching:Policy", "rows", "tokens, requests")]
    public void Any_other_value_stops_the_start_naming_the_setting_the_value_and_the_allowed_ones(string key, string value, string allowed)
    {
        var error = Assert.ThrowsAny<Exception>(() => Start((key, value)));

        var messages = string.Join(" | ", Chain(error).Select(e => e.Message));
        Assert.Contains($"'{key}'", messages);
        Assert.Contains($"'{value}' is not one of: {allowed}.", messages);
    }

    /// <summary>Wires settings the way Program.cs does and runs the start-time validation.</summary>
    private static IServiceProvider Start(params (string Key, string Value)[] settings)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddOnnxRuntime();
        builder.AddTextGeneration();
        builder.AddModelRepository();
        var services = builder.Build().Services;
        services.GetRequiredService<IStartupValidator>().Validate();
        return services;
    }

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Chain)) yield return inner;
            }
        }
    }
}
