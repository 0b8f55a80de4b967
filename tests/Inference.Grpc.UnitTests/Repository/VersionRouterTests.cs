using MlStack.Inference.Repository;

namespace MlStack.Inference.UnitTests.Repository;

public sealed class VersionRouterTests
{
    private const int Requests = 1000;

    // 3 percentage points: more than three standard deviations of the share of 1000 draws at 10 % (0.95 points) and
    // at 50 % (1.6 points).
    private const double Tolerance = 0.03;

    private static readonly Dictionary<string, double> NinetyTen = new() { ["1"] = 90, ["2"] = 10 };

    [Fact]
    public void Over_1000_unpinned_requests_the_shares_are_within_3_points_of_the_weights()
    {
        var router = VersionRouter.Create(NinetyTen, [1, 2], new Random(20261201));

        var picks = Enumerable.Range(0, Requests).Select(_ => router.Pick(null)).ToList();

        Assert.InRange(Share(picks, 2), 0.10 - Tolerance, 0.10 + Tolerance);
        Assert.InRange(Share(picks, 1), 0.90 - Tolerance, 0.90 + Tolerance);
    }

    [Fact]
    public void Conversation_keys_are_sticky_and_shared_by_the_weights()
    {
        var router = VersionRouter.Create(NinetyTen, [1, 2]);

        var picks = Enumerable.Range(0, Requests).Select(i => router.Pick($"conversation-{i}")).ToList();

        Assert.InRange(Share(picks, 2), 0.10 - Tolerance, 0.10 + Tolerance);
        for (var i = 0; i < 50; i++)
        {
            var again = Enumerable.Range(0, 5).Select(_ => router.Pick($"conversation-{i}")).Distinct();
            Assert.Equal([picks[i]], again);
        }
        // A new router with the same weights (a restart, another replica) keeps every conversation where it was.
        var replica = VersionRouter.Create(NinetyTen, [1, 2]);
        Assert.Equal(picks, Enumerable.Range(0, Requests).Select(i => replica.Pick($"conversation-{i}")));
    }

    [Fact]
    public void Raising_a_canary_moves_only_conversations_onto_it()
    {
        var before = VersionRouter.Create(NinetyTen, [1, 2]);
        var after = VersionRouter.Create(new Dictionary<string, double> { ["1"] = 50, ["2"] = 50 }, [1, 2]);

        var moves = Enumerable.Range(0, Requests).Select(i => (Before: before.Pick($"c{i}"), After: after.Pick($"c{i}"))).ToList();

        Assert.DoesNotContain(moves, m => m is { Before: 2, After: 1 });
        Assert.InRange(Share(moves.Select(m => m.After).ToList(), 2), 0.50 - Tolerance, 0.50 + Tolerance);
    }

    [Fact]
    public void A_version_without_weight_gets_no_unpinned_traffic_and_no_weights_send_everything_to_the_latest()
    {
        var canaryOff = VersionRouter.Create(new Dictionary<string, double> { ["1"] = 100, ["2"] = 0 }, [1, 2]);
        Assert.All(Enumerable.Range(0, 200), i => Assert.Equal(1, canaryOff.Pick(i % 2 == 0 ? null : $"c{i}")));
        Assert.Equal(new Dictionary<long, double> { [1] = 100 }, canaryOff.Weights);

        var latest = VersionRouter.Create(null, [3, 1, 2]);
        Assert.All(Enumerable.Range(0, 50), i => Assert.Equal(3, latest.Pick($"c{i}")));
    }

    [Fact]
    public void A_weight_for_a_version_that_is_not_served_is_an_error_naming_both()
    {
        var error = Assert.Throws<InvalidDataException>(() => VersionRouter.Create(new Dictionary<string, double> { ["3"] = 10, ["1"] = 90 }, [1, 2]));
        Assert.Equal("version_weights gives weight to version 3, which is not served (the version policy serves 1, 2).", error.Message);
    }

    [Theory]
    [InlineData("""{ "version_weights": { "one": 1 } }""", "version_weights has key 'one'; keys are version numbers (1, 2, ...).")]
    [InlineData("""{ "version_weights": { "1": -5 } }""", "version_weights gives version 1 the weight -5; weights are finite numbers >= 0.")]
    [InlineData("""{ "version_weights": { "1": 0, "2": 0 } }""", "version_weights must give at least one version a weight above 0.")]
    [InlineData("""{ "version_weights": [1, 2] }""", "Parameter 'config' is not a valid model configuration: ")]
    public void Bad_version_weights_in_a_configuration_are_refused_with_the_reason(string json, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => ModelConfig.Parse(json, "Parameter 'config'").Validate());
        Assert.StartsWith(message, error.Message);
    }

    private static double Share(IReadOnlyCollection<long> picks, long version) => picks.Count(p => p == version) / (double)picks.Count;
}
