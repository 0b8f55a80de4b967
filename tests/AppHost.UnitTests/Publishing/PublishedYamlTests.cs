using MlStack.AppHost.Publishing.Kubernetes;
using MlStack.AppHost.Publishing.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace MlStack.AppHost.UnitTests.Publishing;

public sealed class PublishedYamlTests
{
    [Theory]
    [InlineData("8080")]
    [InlineData("1.0")]
    [InlineData("1:30")]
    [InlineData("true")]
    [InlineData("No")]
    [InlineData("on")]
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
        var scalar = ReadScalar(PublishedYaml.Write(new Document { Key = value }), "key");

        Assert.Equal(value, scalar.Value);
        Assert.NotEqual(ScalarStyle.Plain, scalar.Style);
    }

    [Theory]
    [InlineData("in_memory")]
    [InlineData("/health")]
    [InlineData("nvidia.com/gpu")]
    public void Plain_words_stay_plain(string value)
    {
        var scalar = ReadScalar(PublishedYaml.Write(new Document { Key = value }), "key");

        Assert.Equal(value, scalar.Value);
        Assert.Equal(ScalarStyle.Plain, scalar.Style);
    }

    [Fact]
    public void A_long_multi_line_value_stays_one_escaped_line()
    {
        var script = string.Join("\n", Enumerable.Repeat("echo 'a fairly long line of a health check script' >&2", 4));

        var yaml = PublishedYaml.Write(new Document { Key = script }, "header");

        Assert.StartsWith("# header\n", yaml);
        Assert.Equal(["# header", "key: ", "list: []"], yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.StartsWith("key: ", StringComparison.Ordinal) ? "key: " : l));
        Assert.Equal(script, ReadScalar(yaml, "key").Value);
    }

    [Fact]
    public void Null_members_are_left_out_and_the_adapter_rule_lists_are_written_even_when_empty()
    {
        var yaml = PublishedYaml.Write(new PrometheusAdapterValues
        {
            Prometheus = new AdapterPrometheus("http://prometheus.mlstack.svc", 9090),
            Rules = new AdapterRules { Default = false },
        });

        // An absent list would bring back the chart's default rules.
        Assert.Contains("custom: []", yaml);
        Assert.Contains("external: []", yaml);
        Assert.DoesNotContain("null", yaml);
        Assert.Equal("list: []", PublishedYaml.Write(new Document()).Trim());
    }

    private sealed class Document
    {
        [YamlMember(Alias = "key")] public string? Key { get; init; }
        [YamlMember(Alias = "list")] public List<string> List { get; } = [];
    }

    private static YamlScalarNode ReadScalar(string yaml, string key)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlScalarNode)((YamlMappingNode)stream.Documents.Single().RootNode)[key];
    }
}
