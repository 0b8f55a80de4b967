using k8s;
using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>A published k8s/ folder read strictly: the kustomization and every object it lists, in its KubernetesClient type.</summary>
internal sealed class KubernetesManifests
{
    public KubernetesManifests(string directory)
    {
        Directory = directory;
        // Strict: an unknown field in kustomization.yaml is an error, like in the manifests.
        Kustomization = new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
            .Deserialize<KustomizationFile>(File.ReadAllText(Path.Combine(directory, "kustomization.yaml")));
        Objects = [.. Kustomization.Resources.SelectMany(file => KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(directory, file)), strict: true))];
    }

    public string Directory { get; }

    public KustomizationFile Kustomization { get; }

    public IReadOnlyList<object> Objects { get; }

    public IEnumerable<T> OfType<T>() => Objects.OfType<T>();

    /// <summary>Deployments and StatefulSets alike: name, selector, pod template and claim templates.</summary>
    public IEnumerable<WorkloadInfo> Workloads =>
        Objects.OfType<V1Deployment>().Select(d => new WorkloadInfo(d.Metadata.Name, d.Spec.Selector.MatchLabels, d.Spec.Template, []))
            .Concat(Objects.OfType<V1StatefulSet>().Select(s => new WorkloadInfo(s.Metadata.Name, s.Spec.Selector.MatchLabels, s.Spec.Template,
                [.. (s.Spec.VolumeClaimTemplates ?? []).Select(c => c.Metadata.Name)])));

    public WorkloadInfo Workload(string name) => Workloads.Single(w => w.Name == name);

    /// <summary>The load-balanced Services; headless ones (clusterIP: None) only resolve to every replica.</summary>
    public IEnumerable<V1Service> ClusterServices => Objects.OfType<V1Service>().Where(s => s.Spec.ClusterIP != "None");

    public static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels) =>
        selector.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value);

    public sealed record WorkloadInfo(string Name, IDictionary<string, string> Selector, V1PodTemplateSpec Template, IReadOnlyList<string> ClaimTemplates)
    {
        public V1PodSpec Pod => Template.Spec;

        public V1Container Container => Template.Spec.Containers.Single();

        public IDictionary<string, string> Labels => Template.Metadata.Labels;
    }

    public sealed class KustomizationFile
    {
        public string ApiVersion { get; set; } = "";
        public string Kind { get; set; } = "";
        public string Namespace { get; set; } = "";
        public List<string> Resources { get; set; } = [];
        public List<ImageOverride> Images { get; set; } = [];
        public List<Generator> SecretGenerator { get; set; } = [];
        public List<Generator> ConfigMapGenerator { get; set; } = [];
    }

    public sealed class ImageOverride
    {
        public string Name { get; set; } = "";
        public string NewName { get; set; } = "";
        public string NewTag { get; set; } = "";
    }

    public sealed class Generator
    {
        public string Name { get; set; } = "";
        public List<string> Envs { get; set; } = [];
    }
}
