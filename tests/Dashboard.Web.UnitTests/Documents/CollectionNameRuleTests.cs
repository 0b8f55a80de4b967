using MlStack.Dashboard.Services.Documents;

namespace MlStack.Dashboard.UnitTests.Documents;

public sealed class CollectionNameRuleTests
{
    [Theory]
    [InlineData("handbook")]
    [InlineData("team_notes-2026")]
    [InlineData("")]
    public void Names_the_store_accepts_have_no_problem(string name) => Assert.Null(CollectionNameRule.Problem(name));

    [Theory]
    [InlineData("ab", "At least 3 characters.")]
    [InlineData("Handbook", "Lower-case letters only.")]
    [InlineData("hand book", "Use 3-63 characters")]
    [InlineData("-handbook", "Use 3-63 characters")]
    [InlineData("hand.book", "Use 3-63 characters")]
    public void Names_the_store_refuses_say_why_before_create(string name, string problem) =>
        Assert.StartsWith(problem, CollectionNameRule.Problem(name));
}
