using MlStack.Inference.Errors;
using Microsoft.Extensions.Options;
using MlStack.Inference.Repository;

namespace MlStack.Inference.UnitTests.Repository;

public sealed class RequestMemoryBudgetTests
{
    private const long Limit = 4 * 1024 * 1024;

    private static RequestMemoryBudget Budget() => new(Options.Create(new ModelRepositoryOptions { MaxBytesInFlight = Limit }));

    [Fact]
    public void Reservations_add_up_and_are_returned_once()
    {
        var budget = Budget();
        var first = budget.Reserve(Limit / 2);
        using var second = budget.Reserve(Limit / 2);

        var full = Assert.Throws<InferenceException>(() => budget.Reserve(1));
        first.Dispose();
        first.Dispose();

        Assert.Equal(InferenceErrorReason.ResourceExhausted, full.Reason);
        Assert.Equal(Limit / 2, budget.InFlight);
        using var third = budget.Reserve(Limit / 2);
        Assert.Equal(Limit, budget.InFlight);
    }

    [Fact]
    public void A_call_larger_than_the_whole_budget_says_so()
    {
        var error = Assert.Throws<InferenceException>(() => Budget().Reserve(Limit + 1));

        Assert.Equal(InferenceErrorReason.ResourceExhausted, error.Reason);
        Assert.Contains("ModelRepository:MaxBytesInFlight", error.Message);
    }

    [Fact]
    public void Concurrent_reservations_never_pass_the_limit()
    {
        var budget = Budget();
        var peak = 0L;
        Parallel.For(0, 10_000, _ =>
        {
            try
            {
                using var lease = budget.Reserve(Limit / 3);
                var now = budget.InFlight;
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), now));
            }
            catch (InferenceException)
            {
            }
        });

        Assert.True(peak <= Limit);
        Assert.Equal(0, budget.InFlight);
    }
}
