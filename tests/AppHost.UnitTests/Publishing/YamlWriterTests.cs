using MlStack.AppHost.Publishing.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlStack.AppHost.UnitTests.Publishing;

public sealed class YamlWriterTests
{
    [Theory]
    [InlineData("8080")]
    [InlineData("1.0")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("null")]
    [InlineData("~")]
    [InlineData("")]
    [InlineData("-c")]
    [InlineData("a: b")]
    [InlineData("#comment")]
    [InlineData("${VAR:-x}")]
    [InlineData("line\nbreak \"quoted\" \\ back")]
    [InlineData("- item")]
    public void Strings_that_could_change_type_are_quoted_and_read_back_unchanged(string value)
    {
        var yaml = YamlWriter.Write(new YamlMap().Add("key", value));

        var scalar = ReadScalar(yaml, "key");
        Assert.Equal(value, scalar.Value);
        Assert.NotEqual(ScalarStyle.Plain, scalar.Style);
    }

    [Theory]
    [InlineData("in_memory")]
    [InlineData("/health")]
    [InlineData("nvidia.com/gpu")]
    public void Plain_words_stay_plain(string value)
    {
        var scalar = ReadScalar(YamlWriter.Write(new YamlMap().Add("key", value)), "key");
        Assert.Equal(value, scalar.Value);
        Assert.Equal(ScalarStyle.Plain, scalar.Style);
    }

    [Fact]
    public void Nested_maps_lists_and_literal_blocks_round_trip()
    {
        var document = new YamlMap()
            .Add("list", new List<object> { "a", 1, new YamlMap().Add("x", true).Add("y", new List<string> { "p", "q" }) })
            .Add("empty", new YamlMap())
            .Add("none", new List<string>())
            .Add("block", new YamlLiteralBlock("first: 1\n  indented\n\nlast\n"));

        var yaml = YamlWriter.Write(document, "header");
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var root = (YamlMappingNode)stream.Documents.Single().RootNode;

        var list = (YamlSequenceNode)root["list"];
        Assert.Equal("a", ((YamlScalarNode)list[0]).Value);
        Assert.Equal("1", ((YamlScalarNode)list[1]).Value);
        var item = (YamlMappingNode)list[2];
        Assert.Equal("true", ((YamlScalarNode)item["x"]).Value);
        Assert.Equal(["p", "q"], ((YamlSequenceNode)item["y"]).Select(n => ((YamlScalarNode)n).Value));
        Assert.Empty((YamlMappingNode)root["empty"]);
        Assert.Empty((YamlSequenceNode)root["none"]);
        Assert.Equal("first: 1\n  indented\n\nlast\n", ((YamlScalarNode)root["block"]).Value);
        Assert.StartsWith("# header\n", yaml);
    }

    private static YamlScalarNode ReadScalar(string yaml, string key)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlScalarNode)((YamlMappingNode)stream.Documents.Single().RootNode)[key];
    }
}
