using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using MlStack.AppHost.Publishing.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// One manifest file: the generated-file header, then each object as KubernetesClient's serializer writes it, with one
/// correction. Its quoting follows YAML 1.2 and the 1.1 booleans, but kubectl reads YAML 1.1 (sigs.k8s.io/yaml), where
/// a plain 0x1F, 017, 1_000 or 2001-12-14 is no longer a string: a ConfigMap value like that would fail to apply or
/// change. So every string the object's JSON form holds that is written plain but is not an unambiguous word (see
/// <see cref="StringTypeKeepingEmitter"/>) is double-quoted in place; everything else is the serializer's text.
/// </summary>
public static class ManifestFile
{
    public static string Write(IEnumerable<object> objects) =>
        $"# {GeneratedFileHeader.Text}\n" + string.Join("---\n", objects.Select(Serialize));

    private static string Serialize(object value)
    {
        var yaml = KubernetesYaml.Serialize(value).TrimEnd('\n') + "\n";
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var strings = new List<YamlScalarNode>();
        CollectPlainStrings(stream.Documents.Single().RootNode, JsonNode.Parse(KubernetesJson.Serialize(value)), strings);

        var text = new StringBuilder(yaml);
        foreach (var scalar in strings.Where(s => StringTypeKeepingEmitter.NeedsQuotes(s.Value ?? "")).OrderByDescending(s => s.Start.Index))
        {
            var start = (int)scalar.Start.Index;
            text.Remove(start, (int)scalar.End.Index - start).Insert(start, JsonSerializer.Serialize(scalar.Value));
        }
        return text.ToString();
    }

    /// <summary>The plain scalars of the YAML whose counterpart in the same object's JSON is a string.</summary>
    private static void CollectPlainStrings(YamlNode yaml, JsonNode? json, List<YamlScalarNode> strings)
    {
        switch (yaml, json)
        {
            case (YamlMappingNode map, JsonObject properties):
                foreach (var (key, child) in map.Children)
                {
                    if (key is YamlScalarNode { Value: { } name } && properties.TryGetPropertyValue(name, out var property))
                    {
                        CollectPlainStrings(child, property, strings);
                    }
                }
                break;
            case (YamlSequenceNode sequence, JsonArray items) when sequence.Children.Count == items.Count:
                for (var i = 0; i < items.Count; i++)
                {
                    CollectPlainStrings(sequence.Children[i], items[i], strings);
                }
                break;
            case (YamlScalarNode { Style: ScalarStyle.Plain } scalar, JsonValue text) when text.GetValueKind() == JsonValueKind.String:
                strings.Add(scalar);
                break;
        }
    }
}
