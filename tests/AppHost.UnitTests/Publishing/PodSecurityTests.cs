using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>
/// Every pod runs least-privileged: non-root, no token, no capabilities, and a read-only root file system in which
/// the only writable paths are its data volumes and the scratch directories its image needs.
/// </summary>
[Collection(PublishedStackCollection.Name)]
public sealed class PodSecurityTests(PublishedStack stack)
{
    /// <summary>What each image writes: .NET's /tmp, MiniLM extracted at first start, Chroma's and Prometheus's data.</summary>
    private static readonly Dictionary<string, string[]> WritablePaths = new()
    {
        ["inference"] = ["/app/models/all-MiniLM-L6-v2", "/tmp"],
        ["vectors"] = ["/tmp"],
        ["dashboard"] = ["/app/data", "/tmp"],
        ["chroma"] = ["/data", "/tmp"],
        ["prometheus"] = ["/prometheus"],
    };

    private KubernetesManifests Manifests => new(stack.KubernetesDirectory);

    [Fact]
    public void Pods_run_as_non_root_without_a_service_account_token()
    {
        foreach (var workload in Manifests.Workloads)
        {
            var security = workload.Pod.SecurityContext;
            Assert.True(security.RunAsNonRoot);
            Assert.True(security.RunAsUser > 0);
            Assert.Equal(security.RunAsUser, security.FsGroup);
            Assert.Equal("RuntimeDefault", security.SeccompProfile.Type);
            Assert.False(workload.Pod.AutomountServiceAccountToken, $"{workload.Name} mounts a service account token");
            Assert.NotEqual(true, workload.Pod.HostNetwork);
        }
    }

    [Fact]
    public void Containers_have_a_read_only_root_file_system_and_no_capabilities()
    {
        foreach (var workload in Manifests.Workloads)
        {
            var security = workload.Container.SecurityContext;
            Assert.True(security.ReadOnlyRootFilesystem, $"{workload.Name} can write its root file system");
            Assert.False(security.AllowPrivilegeEscalation);
            Assert.NotEqual(true, security.Privileged);
            Assert.Equal(["ALL"], security.Capabilities.Drop);
            Assert.Null(security.Capabilities.Add);
        }
    }

    [Fact]
    public void The_only_writable_paths_are_data_volumes_and_bounded_scratch_directories()
    {
        var manifests = Manifests;
        Assert.Equal(WritablePaths.Keys.Order(), manifests.Workloads.Select(w => w.Name).Order());
        foreach (var workload in manifests.Workloads)
        {
            var volumes = (workload.Pod.Volumes ?? []).ToDictionary(v => v.Name);
            var writable = new List<string>();
            foreach (var mount in workload.Container.VolumeMounts ?? [])
            {
                if (mount.ReadOnlyProperty == true)
                {
                    continue;
                }
                writable.Add(mount.MountPath);
                if (volumes.TryGetValue(mount.Name, out var volume))
                {
                    // A claim, or an emptyDir with a size limit: never a ConfigMap or host path mounted writable.
                    Assert.True(volume.PersistentVolumeClaim is not null || volume.EmptyDir?.SizeLimit is not null,
                        $"{workload.Name}: {mount.MountPath} is writable but neither a claim nor a bounded emptyDir");
                    Assert.Null(volume.HostPath);
                }
                else
                {
                    Assert.Contains(mount.Name, workload.ClaimTemplates);
                }
            }
            Assert.Equal(WritablePaths[workload.Name], writable.Order());
            Assert.All((workload.Pod.Volumes ?? []).Where(v => v.ConfigMap is not null),
                v => Assert.True(workload.Container.VolumeMounts!.Single(m => m.Name == v.Name).ReadOnlyProperty));
        }
    }
}
