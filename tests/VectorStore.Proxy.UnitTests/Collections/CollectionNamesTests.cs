using MlStack.VectorStore.Collections;
using MlStack.VectorStore.Errors;

namespace MlStack.VectorStore.UnitTests.Collections;

public sealed class CollectionNamesTests
{
    [Theory]
    [InlineData("docs")]
    [InlineData("a1_b-2")]
    [InlineData("abc")]
    public void Good_names_pass(string name) => CollectionNames.Validate(name);

    [Theory]
    [InlineData("docs\n")] // '$' in a .NET pattern matches before a final newline; the name rule must not
    [InlineData("docs\r\n")]
    [InlineData("docs ")]
    [InlineData(" docs")]
    [InlineData("do\ncs")]
    [InlineData("Docs")]
    [InlineData("docs.manifest")]
    [InlineData("ab")]
    public void Names_with_whitespace_newlines_or_other_characters_are_invalid(string name)
    {
        var ex = Assert.Throws<StoreException>(() => CollectionNames.Validate(name));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.Equal($"collection name is invalid: {CollectionNames.Rule}", ex.Message);
    }

    [Fact]
    public void A_long_invalid_name_is_not_echoed()
    {
        var ex = Assert.Throws<StoreException>(() => CollectionNames.Validate(new string('X', 100_000)));
        Assert.DoesNotContain("XXX", ex.Message);
    }
}
