using k8s;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>One manifest file: the generated-file header, then each object as KubernetesClient's serializer writes it.</summary>
public static class ManifestFile
{
    public static string Write(IEnumerable<object> objects) =>
        $"# {GeneratedFileHeader.Text}\n" + string.Join("---\n", objects.Select(o => KubernetesYaml.Serialize(o).TrimEnd('\n') + "\n"));
}
