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
}
