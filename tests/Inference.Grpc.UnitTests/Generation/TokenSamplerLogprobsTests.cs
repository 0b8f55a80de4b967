using MlStack.Inference.Generation;

namespace MlStack.Inference.UnitTests.Generation;

/// <summary>
/// logit_bias, presence and frequency penalties and logprobs, checked against a softmax computed here independently
/// (in double, from the raw logits) rather than against the sampler's own arithmetic.
/// </summary>
public sealed class TokenSamplerLogprobsTests
{
    private static readonly float[] Logits = [1f, 3f, 2f, 0.5f, -1f];

    private static SamplingParameters Greedy(int? top = 5) => new(10, 0f, 1f, 0, 1f, 1, [], false) { TopLogprobs = top };

    /// <summary>log softmax(x / t) in double precision.</summary>
    private static double[] LogSoftmax(IReadOnlyList<double> x, double t = 1)
    {
        var scaled = x.Select(v => v / t).ToArray();
        var max = scaled.Max();
        var log = Math.Log(scaled.Sum(v => Math.Exp(v - max))) + max;
        return [.. scaled.Select(v => v - log)];
    }

    [Fact]
    public void Greedy_logprobs_are_the_models_log_softmax_and_the_chosen_token_is_the_top_one()
    {
        var sampler = new TokenSampler(Greedy(), Logits.Length, []);

        var token = sampler.Next(Logits, out var logprobs);

        var expected = LogSoftmax([.. Logits.Select(v => (double)v)]);
        Assert.Equal(1, token);
        Assert.NotNull(logprobs);
        Assert.Equal(1, logprobs.Token);
        Assert.Equal(expected[1], logprobs.Logprob, 5);
        Assert.Equal([1, 2, 0, 3, 4], logprobs.Top.Select(t => t.Token));
        for (var i = 0; i < logprobs.Top.Count; i++)
        {
            Assert.Equal(expected[logprobs.Top[i].Token], logprobs.Top[i].Logprob, 5);
        }
        Assert.Equal(logprobs.Top[0].Logprob, logprobs.Logprob);
        Assert.Equal(1.0, logprobs.Top.Sum(t => Math.Exp(t.Logprob)), 5);
    }

    [Fact]
    public void Sampled_logprobs_are_those_of_the_temperature_scaled_distribution_before_top_k()
    {
        var parameters = new SamplingParameters(10, 0.5f, 1f, 2, 1f, 7, [], false) { TopLogprobs = 3 };
        var sampler = new TokenSampler(parameters, Logits.Length, []);

        var token = sampler.Next(Logits, out var logprobs);

        var expected = LogSoftmax([.. Logits.Select(v => (double)v)], 0.5);
        Assert.Contains(token, new[] { 1, 2 }); // top_k 2
        Assert.Equal(expected[token], logprobs!.Logprob, 5);
        Assert.Equal([1, 2, 0], logprobs.Top.Select(t => t.Token));
        Assert.Equal(expected[0], logprobs.Top[2].Logprob, 5); // outside top_k, still its untruncated logprob
    }

    [Fact]
    public void Zero_top_logprobs_gives_the_chosen_token_only_and_none_asked_gives_nothing()
    {
        new TokenSampler(Greedy(top: 0), Logits.Length, []).Next(Logits, out var chosenOnly);
        new TokenSampler(Greedy(top: null), Logits.Length, []).Next(Logits, out var none);

        Assert.Empty(chosenOnly!.Top);
        Assert.Null(none);
    }

    [Fact]
    public void Logit_bias_adds_to_the_logits_before_the_choice_and_the_logprobs()
    {
        var parameters = Greedy() with { LogitBias = new Dictionary<int, float> { [3] = 10f, [1] = -100f } };
        var sampler = new TokenSampler(parameters, Logits.Length, []);

        var token = sampler.Next(Logits, out var logprobs);

        var expected = LogSoftmax([1, 3 - 100, 2, 0.5 + 10, -1]);
        Assert.Equal(3, token);
        Assert.Equal(expected[3], logprobs!.Logprob, 5);
        Assert.Equal(expected[1], logprobs.Top.Single(t => t.Token == 1).Logprob, 4);
    }

    [Fact]
    public void Presence_penalty_subtracts_once_per_generated_token_and_ignores_the_prompt()
    {
        // Greedy over flat logits: token 0 first (lowest id wins ties), then the penalty moves on to the next.
        float[] flat = [2f, 2f, 2f, 1.9f];
        var parameters = new SamplingParameters(10, 0f, 1f, 0, 1f, 1, [], false) { PresencePenalty = 0.5f, TopLogprobs = 4 };
        var sampler = new TokenSampler(parameters, flat.Length, promptTokens: [0, 1, 2, 3]);

        var tokens = Enumerable.Range(0, 4).Select(_ => sampler.Next(flat)).ToList();
        sampler.Next(flat, out var logprobs);

        Assert.Equal([0, 1, 2, 3], tokens);
        // Each of the four generated once: all lowered by exactly 0.5, however often.
        var expected = LogSoftmax([1.5, 1.5, 1.5, 1.4]);
        Assert.Equal(expected[0], logprobs!.Top.Single(t => t.Token == 0).Logprob, 5);
        Assert.Equal(expected[3], logprobs.Top.Single(t => t.Token == 3).Logprob, 5);
    }

    [Fact]
    public void Frequency_penalty_subtracts_once_per_occurrence()
    {
        float[] logits = [5f, 0f, 0f];
        var parameters = new SamplingParameters(10, 0f, 1f, 0, 1f, 1, [], false) { FrequencyPenalty = 2f, TopLogprobs = 3 };
        var sampler = new TokenSampler(parameters, logits.Length, []);

        // 5, then 3, then 1 (after two occurrences): token 0 wins twice, then loses to token 1 (0 > -1).
        Assert.Equal(0, sampler.Next(logits));
        Assert.Equal(0, sampler.Next(logits));
        Assert.Equal(0, sampler.Next(logits, out var third));
        Assert.Equal(LogSoftmax([5 - 4, 0, 0])[0], third!.Logprob, 5);
        Assert.Equal(1, sampler.Next(logits, out var fourth));
        Assert.Equal(LogSoftmax([5 - 6, 0, 0])[1], fourth!.Logprob, 5);
    }

    [Fact]
    public void A_negative_presence_penalty_encourages_repeats()
    {
        float[] logits = [1f, 1.2f];
        var parameters = new SamplingParameters(10, 0f, 1f, 0, 1f, 1, [], false) { PresencePenalty = -2f };
        var sampler = new TokenSampler(parameters with { LogitBias = new Dictionary<int, float> { [0] = 1f } }, logits.Length, []);

        Assert.Equal(0, sampler.Next(logits));
        Assert.Equal(0, sampler.Next(logits));
    }

    [Fact]
    public void Choice_seeds_keep_the_first_differ_from_each_other_and_repeat()
    {
        var parameters = new SamplingParameters(10, 1f, 1f, 0, 1f, 42, [], false);

        Assert.Equal(42UL, parameters.ForChoice(0).Seed);
        var seeds = Enumerable.Range(0, 8).Select(i => parameters.ForChoice(i).Seed).ToList();
        Assert.Equal(8, seeds.Distinct().Count());
        Assert.Equal(seeds, Enumerable.Range(0, 8).Select(i => SamplingParameters.ChoiceSeed(42, i)));
    }
}
