using MlStack.VectorStore.Errors;
using MlStack.VectorStore.Search;

namespace MlStack.VectorStore.UnitTests.Search;

public sealed class MetadataFilterTests
{
    [Theory]
    [InlineData("""{"lang":"en"}""", """{"meta.lang":"en"}""")]
    [InlineData("""{"document":"a.md"}""", """{"doc_name":"a.md"}""")]
    [InlineData("""{"lang":{"$ne":"en"}}""", """{"meta.lang":{"$ne":"en"}}""")]
    [InlineData("""{"lang":{"$in":["en","de"]}}""", """{"meta.lang":{"$in":["en","de"]}}""")]
    [InlineData("""{"a":"1","b":"2"}""", """{"$and":[{"meta.a":"1"},{"meta.b":"2"}]}""")]
    [InlineData("""{"$or":[{"a":"1"},{"document":"x"}]}""", """{"$or":[{"meta.a":"1"},{"doc_name":"x"}]}""")]
    public void Filters_become_chroma_where_clauses_on_prefixed_keys(string filter, string expected) =>
        Assert.Equal(expected, MetadataFilter.Translate(filter)!.ToJsonString());

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    public void No_filter_means_no_where_clause(string filter) => Assert.Null(MetadataFilter.Translate(filter));

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
        var ex = Assert.Throws<StoreException>(() => MetadataFilter.Translate(filter));
        Assert.Equal(StoreErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains(message, ex.Message);
    }
}
