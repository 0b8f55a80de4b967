using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Search;

namespace MlStack.VectorStore.UnitTests.Search;

public sealed class MetadataFilterTests
{
    private static readonly SearchOptions Limits = new();

    [Theory]
    [InlineData("""{"lang":"en"}""", """{"meta.lang":"en"}""")]
    [InlineData("""{"document":"a.md"}""", """{"doc_name":"a.md"}""")]
    [InlineData("""{"lang":{"$ne":"en"}}""", """{"meta.lang":{"$ne":"en"}}""")]
    [InlineData("""{"lang":{"$in":["en","de"]}}""", """{"meta.lang":{"$in":["en","de"]}}""")]
    [InlineData("""{"a":"1","b":"2"}""", """{"$and":[{"meta.a":"1"},{"meta.b":"2"}]}""")]
    [InlineData("""{"$or":[{"a":"1"},{"document":"x"}]}""", """{"$or":[{"meta.a":"1"},{"doc_name":"x"}]}""")]
    public void Filters_become_chroma_where_clauses_on_prefixed_keys(string filter, string expected) =>
        Assert.Equal(expected, MetadataFilter.Translate(filter, Limits)!.ToJsonString());

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    public void No_filter_means_no_where_clause(string filter) => Assert.Null(MetadataFilter.Translate(filter, Limits));

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1]", "must be a JSON object")]
    [InlineData("""{"a":{"$gt":"1"}}""", "unknown operator '$gt'")]
    [InlineData("""{"$not":[{"a":"1"}]}""", "unknown operator '$not'")]
    [InlineData("""{"a":1}""", "must be a string")]
    [InlineData("""{"a":{"$in":[]}}""", "non-empty array")]
    [InlineData("""{"$and":[]}""", "non-empty array")]
    [InlineData("""{"a":{"$eq":"1","$ne":"2"}}""", "exactly one operator")]
    public void Bad_filters_are_invalid_arguments_that_say_what_is_wrong(string filter, string message)
    {
        var ex = Assert.Throws<StoreException>(() => MetadataFilter.Translate(filter, Limits));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void Filters_are_bounded_in_size_depth_conditions_and_values()
    {
        var limits = new SearchOptions { MaxFilterBytes = 200, MaxFilterDepth = 2, MaxFilterConditions = 3, MaxFilterValues = 4 };
        void Refused(string filter, string message)
        {
            var ex = Assert.Throws<StoreException>(() => MetadataFilter.Translate(filter, limits));
            Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
            Assert.Contains(message, ex.Message);
        }

        Refused($$"""{"a":"{{new string('x', 300)}}"}""", "the limit is 200");
        Refused("""{"$or":[{"$or":[{"$or":[{"a":"1"}]}]}]}""", "nested deeper than 2 levels");
        Refused("""{"a":"1","b":"2","c":"3","d":"4"}""", "more than 3 conditions");
        Refused("""{"$or":[{"a":"1"},{"b":"2"},{"c":"3"},{"d":"4"}]}""", "more than 3 conditions");
        Refused("""{"a":{"$in":["1","2","3"]},"b":{"$nin":["4","5"]}}""", "more than 4 values");

        // Within every bound, the same shapes pass.
        Assert.NotNull(MetadataFilter.Translate("""{"$or":[{"$or":[{"a":"1"}]}],"b":{"$in":["1","2","3","4"]}}""", limits));
    }

    [Fact]
    public void A_deeply_nested_document_is_refused_by_the_reader_before_it_is_built()
    {
        var deep = string.Concat(Enumerable.Repeat("""{"$and":[""", 5000)) + "{}" + string.Concat(Enumerable.Repeat("]}", 5000));
        var ex = Assert.Throws<StoreException>(() => MetadataFilter.Translate(deep, new SearchOptions { MaxFilterBytes = 1024 * 1024 }));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public void Errors_echo_at_most_a_short_part_of_a_key()
    {
        var key = new string('k', 5000);
        var ex = Assert.Throws<StoreException>(() => MetadataFilter.Translate($$"""{"{{key}}":1}""", new SearchOptions { MaxFilterBytes = 1024 * 1024 }));
        Assert.Contains("must be a string", ex.Message);
        Assert.True(ex.Message.Length < 200, ex.Message);
    }
}
