using MlStack.Inference.Generation;

namespace MlStack.Inference.UnitTests.Generation;

public sealed class TokenSamplerTests
{
    private static SamplingParameters Parameters(float temperature = 1f, float topP = 1f, int topK = 0, float penalty = 1f, ulong seed = 1) =>
        new(10, temperature, topP, topK, penalty, seed, [], false);

    private static readonly float[] Logits = [1f, 3f, 2f, 0.5f];

    [Fact]
    public void Temperature_zero_is_greedy()
    {
        var sampler = new TokenSampler(Parameters(temperature: 0), Logits.Length, []);
        Assert.Equal(1, sampler.Next(Logits));
    }

    [Theory]
    [InlineData(1e-30f)]
    [InlineData(float.Epsilon)]
    [InlineData(0.0009f)]
    public void A_vanishing_temperature_is_greedy(float temperature)
    {
        var sampler = new TokenSampler(Parameters(temperature: temperature, seed: 3), Logits.Length, []);
        for (var i = 0; i < 20; i++) Assert.Equal(1, sampler.Next(Logits));
    }

    [Fact]
    public void Logits_that_hold_no_distribution_fall_back_to_the_greedy_token()
    {
        float[] overflowing = [float.PositiveInfinity, 1f, float.PositiveInfinity, float.NaN];
        var sampler = new TokenSampler(Parameters(temperature: 0.7f, seed: 3), overflowing.Length, []);
        for (var i = 0; i < 20; i++) Assert.Equal(0, sampler.Next(overflowing));
    }

    [Fact]
    public void Top_k_one_always_picks_the_most_likely_token()
    {
        var sampler = new TokenSampler(Parameters(topK: 1, seed: 99), Logits.Length, []);
        for (var i = 0; i < 20; i++) Assert.Equal(1, sampler.Next(Logits));
    }

    [Fact]
    public void Top_p_keeps_only_the_nucleus()
    {
        // softmax(1, 3, 2, 0.5): token 1 holds ~0.63 of the mass, tokens 1 and 2 ~0.87.
        var sampler = new TokenSampler(Parameters(topP: 0.8f, seed: 5), Logits.Length, []);
        var seen = Enumerable.Range(0, 200).Select(_ => sampler.Next(Logits)).ToHashSet();
        Assert.Equal(new HashSet<int> { 1, 2 }, seen);
    }

    [Fact]
    public void The_same_seed_draws_the_same_tokens()
    {
        var a = new TokenSampler(Parameters(seed: 1234), Logits.Length, []);
        var b = new TokenSampler(Parameters(seed: 1234), Logits.Length, []);
        Assert.Equal(Enumerable.Range(0, 50).Select(_ => a.Next(Logits)), Enumerable.Range(0, 50).Select(_ => b.Next(Logits)));
    }

    [Fact]
    public void Repetition_penalty_discourages_tokens_already_seen()
    {
        var sampler = new TokenSampler(Parameters(temperature: 0, penalty: 2f), Logits.Length, [1]);
        Assert.Equal(2, sampler.Next(Logits)); // 3 / 2 = 1.5 < 2
    }

    [Fact]
    public void Plain_temperature_sampling_follows_the_softmax()
    {
        var sampler = new TokenSampler(Parameters(seed: 2026), Logits.Length, []);
        var draws = Enumerable.Range(0, 4000).Select(_ => sampler.Next(Logits)).ToList();
        var expected = Logits.Select(l => Math.Exp(l)).ToArray();
        var total = expected.Sum();
        for (var token = 0; token < Logits.Length; token++)
        {
            var frequency = draws.Count(t => t == token) / 4000.0;
            Assert.InRange(frequency, expected[token] / total - 0.03, expected[token] / total + 0.03);
        }
    }
}
