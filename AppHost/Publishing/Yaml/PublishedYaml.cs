using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace MlStack.AppHost.Publishing.Yaml;

/// <summary>
/// Writes the typed models of the files that are not Kubernetes API objects (docker-compose.yaml, the kustomization,
/// prometheus-adapter's Helm values) with YamlDotNet: properties in declaration order under their
/// <see cref="YamlMemberAttribute"/> names, nulls left out, block style throughout.
/// Kubernetes objects go through KubernetesClient's own serializer (see Kubernetes/ManifestFile).
/// </summary>
public static class PublishedYaml
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .DisableAliases()
        // Nulls only: OmitEmptyCollections would also drop an empty string (a string is a collection of chars), and an
        // empty environment value means something. Models leave an empty list or map null instead.
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .WithEventEmitter(next => new StringTypeKeepingEmitter(next))
        .Build();

    /// <summary>The document after one "# line" comment per header line.</summary>
    public static string Write(object document, params string[] headerLines)
    {
        var yaml = new StringWriter { NewLine = "\n" };
        foreach (var line in headerLines)
        {
            yaml.Write($"# {line}\n");
        }
        // No line width: a long value (a health check script) stays on one line instead of being folded.
        Serializer.Serialize(new Emitter(yaml, EmitterSettings.Default.WithBestWidth(int.MaxValue).WithIndentedSequences()), document);
        return yaml.ToString();
    }
}
