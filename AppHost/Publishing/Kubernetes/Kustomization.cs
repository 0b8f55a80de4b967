using YamlDotNet.Serialization;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>kustomization.yaml (kustomize.config.k8s.io/v1beta1), the fields MlStack writes; not a Kubernetes API object.</summary>
public sealed class Kustomization
{
    [YamlMember(Alias = "apiVersion")] public string ApiVersion { get; } = "kustomize.config.k8s.io/v1beta1";
    [YamlMember(Alias = "kind")] public string Kind { get; } = "Kustomization";
    [YamlMember(Alias = "namespace")] public required string Namespace { get; init; }
    [YamlMember(Alias = "resources")] public required List<string> Resources { get; init; }
    [YamlMember(Alias = "images")] public required List<KustomizeImage> Images { get; init; }
    [YamlMember(Alias = "secretGenerator")] public List<KustomizeGenerator>? SecretGenerator { get; set; }
    [YamlMember(Alias = "configMapGenerator")] public List<KustomizeGenerator>? ConfigMapGenerator { get; set; }
}

public sealed record KustomizeImage(
    [property: YamlMember(Alias = "name")] string Name,
    [property: YamlMember(Alias = "newName")] string NewName,
    [property: YamlMember(Alias = "newTag")] string NewTag);

public sealed record KustomizeGenerator(
    [property: YamlMember(Alias = "name")] string Name,
    [property: YamlMember(Alias = "envs")] List<string> Envs);
