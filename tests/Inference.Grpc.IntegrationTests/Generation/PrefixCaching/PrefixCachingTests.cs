using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Generation;
using MlStack.Inference.V1;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.PrefixCaching;

/// <summary>
/// Automatic prefix caching on the shipped generators: a prompt that starts with stored blocks prefills only the
/// rest, reports those tokens as cached, and answers with exactly the greedy ids the same service gives with the
/// cache off. Each test uses prompts of its own, so what earlier tests stored cannot change what it sees.
/// </summary>
public sealed class PrefixCachingTests(PrefixCacheHost cached, PrefixCacheOffHost plain)
    : IClassFixture<PrefixCacheHost>, IClassFixture<PrefixCacheOffHost>
{
    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task A_repeated_prompt_hits_every_full_block_before_its_last_token_and_answers_as_without_the_cache(string model)
    {
        var prompt = $"Once upon a time, {model} saw a little red bird in the big green tree near the house.";
        using var watcher = new GenerationMeterWatcher(cached.Metrics, model);
        var (reference, _) = await plain.AnswerAsync(model, prompt);

        var (first, missed) = await cached.AnswerAsync(model, prompt);
        var (second, hit) = await cached.AnswerAsync(model, prompt);

        var promptTokens = hit.Usage.PromptTokens;
        Assert.True(promptTokens > 2 * PrefixCacheHost.BlockTokens, $"the prompt spans blocks ({promptTokens} tokens)");
        Assert.Equal(0, missed.Usage.CachedPromptTokens);
        Assert.Equal(PrefixCacheCalls.Expected(promptTokens, promptTokens), hit.Usage.CachedPromptTokens);
        Assert.Equal(reference, first);
        Assert.Equal(reference, second);
        // Only what was not cached was prefilled.
        Assert.Equal(2 * promptTokens - hit.Usage.CachedPromptTokens, watcher.Iterations.Where(i => i.Kind == "prefill").Sum(i => i.Value));
        Assert.Equal(2, watcher.PrefixQueries);
        Assert.Equal(1, watcher.PrefixHits);
        Assert.Equal(2 * promptTokens, watcher.PrefixQueriedTokens);
        Assert.Equal(hit.Usage.CachedPromptTokens, watcher.PrefixHitTokens);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task A_prompt_that_continues_a_stored_one_hits_their_common_blocks_and_answers_as_without_the_cache(string model)
    {
        var stored = $"The dog and {model} ran to the park to play with a ball";
        var longer = stored + " and then they went home to eat a big dinner with the cat.";
        var encoder = cached.Services.GetRequiredService<PromptEncoder>();
        var generator = await cached.ModelAsync(model);
        var storedIds = encoder.EncodePrompt(generator, stored);
        var longerIds = encoder.EncodePrompt(generator, longer);
        var common = storedIds.Zip(longerIds).TakeWhile(p => p.First == p.Second).Count();
        Assert.True(common >= PrefixCacheHost.BlockTokens, $"the prompts share at least a block ({common} tokens)");

        await cached.AnswerAsync(model, stored);
        var (tokens, summary) = await cached.AnswerAsync(model, longer);
        var (reference, _) = await plain.AnswerAsync(model, longer);

        Assert.Equal(PrefixCacheCalls.Expected(common, longerIds.Count), summary.Usage.CachedPromptTokens);
        Assert.True(summary.Usage.CachedPromptTokens < summary.Usage.PromptTokens - PrefixCacheHost.BlockTokens, "a partial hit");
        Assert.Equal(reference, tokens);
    }

    [Theory]
    [MemberData(nameof(ShippedGenerators.Names), MemberType = typeof(ShippedGenerators))]
    public async Task The_next_turn_of_a_chat_hits_the_earlier_turns(string model)
    {
        var first = Chat(model, ("system", $"You are {model}, a helpful assistant who tells short stories."), ("user", "Tell me about a cat."));
        var (_, _, firstSummary) = await cached.TextGeneration.Chat(first).CollectAsync();
        var (answer, _, _) = await plain.TextGeneration.Chat(first).CollectAsync();
        var second = Chat(model, ("system", $"You are {model}, a helpful assistant who tells short stories."), ("user", "Tell me about a cat."),
            ("assistant", answer), ("user", "And a dog?"));

        var (_, tokens, summary) = await cached.TextGeneration.Chat(second).CollectAsync();
        var (_, reference, _) = await plain.TextGeneration.Chat(second).CollectAsync();

        Assert.Equal(0, firstSummary.Usage.CachedPromptTokens);
        // The first turn's prompt (its system and user messages) is a prefix of the second's.
        Assert.InRange(summary.Usage.CachedPromptTokens, firstSummary.Usage.PromptTokens - 2 * PrefixCacheHost.BlockTokens, firstSummary.Usage.PromptTokens);
        Assert.Equal(reference, tokens);
    }

    [Fact]
    public async Task Callers_with_different_salts_never_share_blocks()
    {
        const string model = "tiny-gpt";
        const string prompt = "A salted story: the little girl found a shiny key under the old tree by the river.";
        using var watcher = new GenerationMeterWatcher(cached.Metrics, model);
        var (reference, _) = await plain.AnswerAsync(model, prompt);

        var (a1, a1Summary) = await cached.AnswerAsync(model, prompt, "tenant-a");
        var (b1, b1Summary) = await cached.AnswerAsync(model, prompt, "tenant-b");
        var (u1, u1Summary) = await cached.AnswerAsync(model, prompt);
        var (a2, a2Summary) = await cached.AnswerAsync(model, prompt, "tenant-a");
        var (b2, b2Summary) = await cached.AnswerAsync(model, prompt, "tenant-b");

        Assert.Equal(0, a1Summary.Usage.CachedPromptTokens);
        Assert.Equal(0, b1Summary.Usage.CachedPromptTokens);
        Assert.Equal(0, u1Summary.Usage.CachedPromptTokens);
        var expected = PrefixCacheCalls.Expected(a2Summary.Usage.PromptTokens, a2Summary.Usage.PromptTokens);
        Assert.Equal(expected, a2Summary.Usage.CachedPromptTokens);
        Assert.Equal(expected, b2Summary.Usage.CachedPromptTokens);
        Assert.Equal(2, watcher.PrefixHits);
        Assert.Equal(5, watcher.PrefixQueries);
        Assert.All([a1, b1, u1, a2, b2], tokens => Assert.Equal(reference, tokens));
    }

    [Fact]
    public async Task A_cache_salt_beyond_256_characters_is_invalid_argument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => cached.AnswerAsync("tiny-gpt", "The cat", new string('s', 257)));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("cache_salt", error.Status.Detail);
    }

    [Fact]
    public async Task The_openai_door_takes_cache_salt_and_reports_cached_tokens_in_usage()
    {
        JsonObject Body(string salt) => new()
        {
            ["model"] = "tiny-gpt",
            ["prompt"] = "The OpenAI door: a boy and his dog walked along the beach to look for shells and crabs.",
            ["temperature"] = 0,
            ["max_tokens"] = 4,
            ["cache_salt"] = salt,
        };
        async Task<JsonNode> CompleteAsync(string salt)
        {
            using var response = await cached.Http.PostAsJsonAsync("/v1/completions", Body(salt));
            response.EnsureSuccessStatusCode();
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["usage"]!;
        }

        var miss = await CompleteAsync("door");
        var hit = await CompleteAsync("door");
        var otherSalt = await CompleteAsync("another door");

        Assert.Equal(0, (int)miss["prompt_tokens_details"]!["cached_tokens"]!);
        var promptTokens = (int)hit["prompt_tokens"]!;
        Assert.Equal(PrefixCacheCalls.Expected(promptTokens, promptTokens), (int)hit["prompt_tokens_details"]!["cached_tokens"]!);
        Assert.Equal(0, (int)otherSalt["prompt_tokens_details"]!["cached_tokens"]!);
    }

    [Fact]
    public async Task Prometheus_shows_the_prefix_cache_counters()
    {
        await cached.AnswerAsync("tiny-gpt", "Prometheus reads this twice: the sun was warm and the sky was very blue today.");
        await cached.AnswerAsync("tiny-gpt", "Prometheus reads this twice: the sun was warm and the sky was very blue today.");

        var text = await Polling.UntilAsync(() => cached.Http.GetStringAsync("/metrics"),
            t => t.Contains("mlstack_generation_prefix_cache_hit_tokens_total{", StringComparison.Ordinal), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));

        foreach (var name in new[] { "prefix_cache_queries_total", "prefix_cache_hits_total", "prefix_cache_queried_tokens_total", "prefix_cache_hit_tokens_total", "prefix_cache_bytes" })
        {
            Assert.Contains($"mlstack_generation_{name}{{", text);
        }
    }

    private static ChatRequest Chat(string model, params (string Role, string Content)[] messages)
    {
        var request = new ChatRequest { Model = model, Parameters = new GenerationParameters { Temperature = 0, MaxNewTokens = 8, IgnoreEos = true } };
        request.Messages.AddRange(messages.Select(m => new V1.ChatMessage { Role = m.Role, Content = m.Content }));
        return request;
    }
}
