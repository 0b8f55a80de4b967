using System.Text.RegularExpressions;
using k8s.Models;
using MlStack.AppHost.Publishing.Annotations;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>The names and claims of a service's volumes, config directories and scratch directories.</summary>
public static partial class PodVolumes
{
    /// <summary>The service's config files, one ConfigMap, pod volume and read-only mount per target directory.</summary>
    public static IEnumerable<ConfigDirectory> ConfigDirectories(DeployedService service) =>
        service.ConfigFiles.GroupBy(f => f.TargetDirectory, StringComparer.Ordinal).Select((files, i) =>
        {
            var suffix = i == 0 ? "" : $"-{i + 1}";
            return new ConfigDirectory("config" + suffix, $"{service.Name}-config{suffix}", files.Key, [.. files]);
        });

    public static string EnvConfigMapName(DeployedService service) => $"{service.Name}-env";

    public static V1PersistentVolumeClaimSpec ClaimSpec(KubernetesPublishOptions options) => new()
    {
        AccessModes = ["ReadWriteOnce"],
        Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(options.StorageSize) } },
        StorageClassName = string.IsNullOrEmpty(options.StorageClassName) ? null : options.StorageClassName,
    };

    /// <summary>Volume names become DNS labels: "mlstack-chroma-data" stays, anything else is lower-cased and dashed.</summary>
    public static string VolumeName(DeployedVolume volume) => DnsLabel(volume.Name);

    /// <summary>"/tmp" is mounted from volume "scratch-tmp".</summary>
    public static string ScratchVolumeName(ScratchDirectoryAnnotation directory) => DnsLabel("scratch-" + directory.Path);

    private static string DnsLabel(string name)
    {
        var label = NonDnsCharacters().Replace(name.ToLowerInvariant(), "-").Trim('-');
        return label.Length <= 63 ? label : label[..63].TrimEnd('-');
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonDnsCharacters();
}

public sealed record ConfigDirectory(string VolumeName, string ConfigMapName, string MountPath, IReadOnlyList<DeployedConfigFile> Files);
