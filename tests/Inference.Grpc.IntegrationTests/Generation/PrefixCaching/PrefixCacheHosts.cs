using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation.PrefixCaching;
using MlStack.Inference.V1;

namespace MlStack.Inference.IntegrationTests.Generation.PrefixCaching;

/// <summary>The shipped generators with prefix caching in blocks of 4 tokens (so the tiny models' short prompts span blocks).</summary>
public sealed class PrefixCacheHost : GenerationHost
{
    public const int BlockTokens = 4;

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
        [new("Generation:PrefixCacheBlockTokens", BlockTokens.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    public PrefixBlockStore Blocks => Services.GetRequiredService<PrefixBlockStore>();
}

/// <summary>The same models with prefix caching off: the answers to compare with.</summary>
public sealed class PrefixCacheOffHost : GenerationHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings => [new("Generation:PrefixCaching", "false")];
}

/// <summary>Blocks of 4 tokens under a budget of 4 of tiny-gpt's blocks (4 layers x key and value x 4 heads x 32 x float32 x 4 tokens).</summary>
public sealed class TinyPrefixBudgetHost : GenerationHost
{
    public const long TinyGptBlockBytes = 2 * 4 * 4 * 32 * 4 * PrefixCacheHost.BlockTokens;

    public const long BudgetBytes = 4 * TinyGptBlockBytes;

    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
    [
        new("Generation:PrefixCacheBlockTokens", PrefixCacheHost.BlockTokens.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Generation:PrefixCacheBytes", BudgetBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public PrefixBlockStore Blocks => Services.GetRequiredService<PrefixBlockStore>();
}

/// <summary>tiny-gpt alone in a temporary repository (nothing else shares the cache), blocks of 4 tokens, for reloads.</summary>
public sealed class ReloadablePrefixCacheHost : TemporaryRepositoryHost
{
    protected override IEnumerable<KeyValuePair<string, string?>> GenerationSettings =>
        [new("Generation:PrefixCacheBlockTokens", PrefixCacheHost.BlockTokens.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    protected override void Compose(string repository) => AddTinyGpt(repository, "tiny-gpt", """{ "task": "text-generation" }""");

    public PrefixBlockStore Blocks => Services.GetRequiredService<PrefixBlockStore>();
}

internal static class PrefixCacheCalls
{
    public static GenerateRequest Greedy(string model, string prompt, string? salt = null, int maxNewTokens = 8, bool ignoreEos = true) => new()
    {
        Model = model,
        Prompt = prompt,
        CacheSalt = salt ?? string.Empty,
        Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = maxNewTokens, IgnoreEos = ignoreEos },
    };

    public static async Task<(List<int> Tokens, GenerationSummary Summary)> AnswerAsync(this GenerationHost host, string model, string prompt,
        string? salt = null, int maxNewTokens = 8)
    {
        var (_, tokens, summary) = await host.TextGeneration.Generate(Greedy(model, prompt, salt, maxNewTokens)).CollectAsync();
        return (tokens, summary);
    }

    /// <summary>Prompt tokens the cache can give a prompt of <paramref name="promptTokens"/> whose first <paramref name="stored"/> tokens are stored.</summary>
    public static int Expected(int stored, int promptTokens) =>
        Math.Min(stored / PrefixCacheHost.BlockTokens, (promptTokens - 1) / PrefixCacheHost.BlockTokens) * PrefixCacheHost.BlockTokens;
}
