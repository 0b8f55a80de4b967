using MlStack.VectorStore.Records;

namespace MlStack.VectorStore.UnitTests.Records;

public sealed class RecordKeysTests
{
    private static readonly Dictionary<string, string> NoMetadata = [];

    [Fact]
    public void Ids_depend_only_on_identity_and_content()
    {
        var id = RecordKeys.DocumentIdOf("guide.md");
        Assert.Equal(id, RecordKeys.DocumentIdOf("guide.md"));
        Assert.NotEqual(id, RecordKeys.DocumentIdOf("guide2.md"));

        var version = RecordKeys.VersionOf("text", 500, 50, "m", NoMetadata);
        Assert.Equal(version, RecordKeys.VersionOf("text", 500, 50, "m", NoMetadata));
        Assert.NotEqual(version, RecordKeys.VersionOf("text!", 500, 50, "m", NoMetadata));
        Assert.NotEqual(version, RecordKeys.VersionOf("text", 600, 50, "m", NoMetadata));
        Assert.NotEqual(version, RecordKeys.VersionOf("text", 500, 50, "other", NoMetadata));
        Assert.NotEqual(version, RecordKeys.VersionOf("text", 500, 50, "m", new Dictionary<string, string> { ["a"] = "b" }));

        Assert.Equal(RecordKeys.ChunkId(id, version, 3), RecordKeys.ChunkId(id, version, 3));
        Assert.NotEqual(RecordKeys.ChunkId(id, version, 3), RecordKeys.ChunkId(id, version, 4));
    }

    [Fact]
    public void Versions_of_ingests_that_collide_under_plain_concatenation_differ()
    {
        // With "key=value\n" lines before the text, each pair below was one string and so one version.
        Assert.NotEqual(
            RecordKeys.VersionOf("text", 500, 50, "m", new Dictionary<string, string> { ["a"] = "b\nc=d" }),
            RecordKeys.VersionOf("text", 500, 50, "m", new Dictionary<string, string> { ["a"] = "b", ["c"] = "d" }));
        Assert.NotEqual(
            RecordKeys.VersionOf("x", 500, 50, "m", new Dictionary<string, string> { ["a"] = "b" }),
            RecordKeys.VersionOf("a=b\nx", 500, 50, "m", NoMetadata));
        Assert.NotEqual(
            RecordKeys.VersionOf("text", 500, 50, "m", new Dictionary<string, string> { ["a=b"] = "c" }),
            RecordKeys.VersionOf("text", 500, 50, "m", new Dictionary<string, string> { ["a"] = "b=c" }));
    }

    [Fact]
    public void The_version_does_not_depend_on_the_order_metadata_arrives_in()
    {
        Assert.Equal(
            RecordKeys.VersionOf("t", 500, 50, "m", new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }),
            RecordKeys.VersionOf("t", 500, 50, "m", new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" }));
    }
}
