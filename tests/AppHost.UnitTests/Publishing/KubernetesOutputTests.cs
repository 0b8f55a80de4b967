using k8s;
using k8s.Models;
using MlStack.AppHost.Publishing;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

[Collection(PublishedStackCollection.Name)]
public sealed class KubernetesOutputTests(PublishedStack stack)
{
    private static readonly Dictionary<string, string> HealthPaths = new()
    {
        ["inference"] = "/health",
        ["vectors"] = "/health",
        ["dashboard"] = "/health",
        ["chroma"] = "/api/v2/heartbeat",
        ["prometheus"] = "/-/ready",
    };

    /// <summary>Only whether the process answers: ServiceDefaults' /alive, Chroma's heartbeat, Prometheus's /-/healthy.</summary>
    private static readonly Dictionary<string, string> LivenessPaths = new()
    {
        ["inference"] = "/alive",
        ["vectors"] = "/alive",
        ["dashboard"] = "/alive",
        ["chroma"] = "/api/v2/heartbeat",
        ["prometheus"] = "/-/healthy",
    };

    private KubernetesManifests Manifests => new(stack.KubernetesDirectory);

    [Fact]
    public void Every_manifest_is_listed_and_parses_strictly_into_its_KubernetesClient_type()
    {
        var manifests = Manifests;
        var files = Directory.GetFiles(stack.KubernetesDirectory, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(files, manifests.Kustomization.Resources.Order());

        Assert.All(manifests.Objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.DoesNotContain(manifests.Objects, o => o.GetType() == typeof(object));

        var kinds = manifests.Objects.Select(o => o.GetType().Name).ToHashSet();
        foreach (var kind in new[]
        {
            nameof(V1Namespace), nameof(V1Deployment), nameof(V1StatefulSet), nameof(V1Service), nameof(V1ConfigMap), nameof(V2HorizontalPodAutoscaler),
            nameof(V1PodDisruptionBudget), nameof(V1PersistentVolumeClaim), nameof(V1NetworkPolicy),
        })
        {
            Assert.Contains(kind, kinds);
        }
    }

    [Fact]
    public void Strict_parsing_rejects_unknown_fields()
    {
        // Proves the check above can fail.
        const string manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: {}\nnotAField: 1\n";
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(manifest, strict: true));
    }

    [Fact]
    public void Everything_is_namespaced_and_labelled()
    {
        var manifests = Manifests;
        var objects = manifests.Objects.Cast<IKubernetesObject<V1ObjectMeta>>().ToList();
        Assert.Equal(manifests.Kustomization.Namespace, objects.OfType<V1Namespace>().Single().Metadata.Name);
        foreach (var o in objects.Where(o => o is not V1Namespace))
        {
            Assert.Equal(manifests.Kustomization.Namespace, o.Metadata.NamespaceProperty);
            Assert.Equal("mlstack", o.Metadata.Labels["app.kubernetes.io/part-of"]);
            Assert.True(o.Metadata.Labels.ContainsKey("app.kubernetes.io/name"), $"{o.Kind}/{o.Metadata.Name} has no name label");
            Assert.True(o.Metadata.Labels.ContainsKey("app.kubernetes.io/managed-by"));
        }
    }

    [Fact]
    public void Workload_selectors_match_their_pods_and_every_reference_is_produced()
    {
        var manifests = Manifests;
        var configMaps = manifests.OfType<V1ConfigMap>().Select(c => c.Metadata.Name)
            .Concat(manifests.Kustomization.ConfigMapGenerator.Select(g => g.Name)).ToHashSet();
        var secrets = manifests.Kustomization.SecretGenerator.Select(g => g.Name).ToHashSet();
        var claims = manifests.OfType<V1PersistentVolumeClaim>().Select(c => c.Metadata.Name).ToHashSet();

        var workloads = manifests.Workloads.ToList();
        Assert.Equal(HealthPaths.Keys.Order(), workloads.Select(w => w.Name).Order());
        foreach (var workload in workloads)
        {
            Assert.NotEmpty(workload.Selector);
            Assert.True(KubernetesManifests.Selects(workload.Selector, workload.Labels));

            var pod = workload.Pod;
            var podVolumes = (pod.Volumes ?? []).Select(v => v.Name).Concat(workload.ClaimTemplates).ToHashSet();
            foreach (var volume in pod.Volumes ?? [])
            {
                Assert.True(volume.ConfigMap is null || configMaps.Contains(volume.ConfigMap.Name), $"{workload.Name}: ConfigMap {volume.ConfigMap?.Name} is not produced");
                Assert.True(volume.PersistentVolumeClaim is null || claims.Contains(volume.PersistentVolumeClaim.ClaimName));
            }
            var container = workload.Container;
            foreach (var source in container.EnvFrom ?? [])
            {
                Assert.True(source.ConfigMapRef is null || configMaps.Contains(source.ConfigMapRef.Name), $"{workload.Name}: ConfigMap {source.ConfigMapRef?.Name} is not produced");
                Assert.True(source.SecretRef is null || secrets.Contains(source.SecretRef.Name), $"{workload.Name}: Secret {source.SecretRef?.Name} is not produced");
            }
            foreach (var variable in container.Env ?? [])
            {
                Assert.True(variable.ValueFrom?.ConfigMapKeyRef is null || configMaps.Contains(variable.ValueFrom.ConfigMapKeyRef.Name));
                Assert.True(variable.ValueFrom?.SecretKeyRef is null || secrets.Contains(variable.ValueFrom.SecretKeyRef.Name),
                    $"{workload.Name}: {variable.Name} reads Secret {variable.ValueFrom?.SecretKeyRef?.Name}, which is not generated");
            }
            Assert.All(container.VolumeMounts ?? [], m => Assert.Contains(m.Name, podVolumes));

            // Requests and limits everywhere.
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), $"{workload.Name} has no requests");
            Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"), $"{workload.Name} has no limits");
        }
    }

    [Fact]
    public void Only_liveness_restarts_and_readiness_carries_the_health_checks()
    {
        foreach (var workload in Manifests.Workloads)
        {
            var container = workload.Container;
            var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);

            // Readiness: the model's health check (models, dependencies). Failing it takes the pod out of its Services.
            Assert.Equal(HealthPaths[workload.Name], container.ReadinessProbe.HttpGet.Path);
            // Liveness and startup, the only probes that restart: whether the process answers, nothing more.
            foreach (var probe in new[] { container.LivenessProbe, container.StartupProbe })
            {
                Assert.Equal(LivenessPaths[workload.Name], probe.HttpGet.Path);
                Assert.Null(probe.Grpc);
                Assert.Null(probe.Exec);
            }
            foreach (var probe in new[] { container.ReadinessProbe, container.LivenessProbe, container.StartupProbe })
            {
                Assert.True(ports.ContainsKey(probe.HttpGet.Port.Value), $"{workload.Name}: probe port {probe.HttpGet.Port.Value} is not a named container port");
            }
        }
        // Where the health check includes more than liveness, the restarting probes never use it.
        foreach (var name in new[] { "inference", "vectors", "dashboard", "prometheus" })
        {
            var container = Manifests.Workload(name).Container;
            Assert.NotEqual(container.ReadinessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Path);
        }
    }

    [Fact]
    public void Services_target_ports_that_exist_in_their_pods()
    {
        var manifests = Manifests;
        var workloads = manifests.Workloads.ToList();
        Assert.Equal(HealthPaths.Keys.Order(), manifests.ClusterServices.Select(s => s.Metadata.Name).Order());
        foreach (var service in manifests.OfType<V1Service>())
        {
            if (service.Metadata.Name != "dashboard")
            {
                Assert.Equal("ClusterIP", service.Spec.Type ?? "ClusterIP");
            }
            var workload = Assert.Single(workloads, w => KubernetesManifests.Selects(service.Spec.Selector, w.Labels));
            foreach (var port in service.Spec.Ports)
            {
                Assert.Contains(workload.Container.Ports, p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString() == port.TargetPort.Value);
            }
        }
    }

    [Fact]
    public void Every_scrape_target_resolves_to_each_replica_through_a_headless_Service()
    {
        var manifests = Manifests;
        var config = File.ReadAllText(Path.Combine(stack.ComposeDirectory, "prometheus.yml"));
        foreach (var target in new[] { "inference", "vectors", "dashboard" })
        {
            var headless = manifests.OfType<V1Service>().Single(s => s.Metadata.Name == target + DeploymentModelReader.EveryReplicaSuffix);
            Assert.Equal("None", headless.Spec.ClusterIP);
            Assert.True(KubernetesManifests.Selects(headless.Spec.Selector, manifests.Workload(target).Labels));
            Assert.Contains($"names: [\"{headless.Metadata.Name}\"]", config);
        }
        Assert.DoesNotContain("static_configs", config);
    }

    [Fact]
    public void Images_carry_the_build_version_never_latest()
    {
        var manifests = Manifests;
        var images = manifests.Kustomization.Images;
        Assert.Equal(["mlstack/dashboard", "mlstack/inference", "mlstack/vectors"], images.Select(i => i.Name).Order());
        Assert.All(images, i => Assert.Equal(PublishOptions.BuildVersion, i.NewTag));
        Assert.DoesNotContain(manifests.Workloads, w => w.Container.Image.EndsWith(":latest", StringComparison.Ordinal));
        Assert.Equal($"mlstack/inference:{PublishOptions.BuildVersion}", manifests.Workload("inference").Container.Image);
    }

    [Fact]
    public void Inference_gets_a_gpu_and_a_disruption_budget()
    {
        var manifests = Manifests;
        var inference = manifests.Workload("inference");
        Assert.Equal("1", inference.Container.Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Contains(inference.Pod.Tolerations, t => t.Key == "nvidia.com/gpu" && t.OperatorProperty == "Exists");
        Assert.Equal("true", inference.Pod.NodeSelector["nvidia.com/gpu.present"]);
        Assert.Null(manifests.OfType<V1Deployment>().Single(d => d.Metadata.Name == "inference").Spec.Replicas);

        var budget = manifests.OfType<V1PodDisruptionBudget>().Single();
        Assert.True(KubernetesManifests.Selects(budget.Spec.Selector.MatchLabels, inference.Labels));
        Assert.Null(manifests.Workload("vectors").Pod.Tolerations);
    }

    [Fact]
    public void A_gpu_workload_rolls_out_without_a_surge_pod_so_it_needs_no_spare_gpu()
    {
        var deployments = Manifests.OfType<V1Deployment>().ToList();
        var inference = deployments.Single(d => d.Metadata.Name == "inference");

        Assert.Equal("RollingUpdate", inference.Spec.Strategy.Type);
        Assert.Equal("0", inference.Spec.Strategy.RollingUpdate.MaxSurge.ToString());
        Assert.Equal("1", inference.Spec.Strategy.RollingUpdate.MaxUnavailable.ToString());
        Assert.Equal(30, inference.Spec.MinReadySeconds);
        // Workloads without a GPU keep Kubernetes' default (surge allowed) or Recreate for a claim.
        Assert.All(deployments.Where(d => d.Spec.Template.Spec.Containers.All(c => c.Resources.Limits?.ContainsKey("nvidia.com/gpu") != true)),
            d => Assert.NotEqual("0", d.Spec.Strategy?.RollingUpdate?.MaxSurge?.ToString()));
    }

    [Fact]
    public void Chroma_is_a_StatefulSet_and_Prometheus_reads_a_scrape_config_generated_from_the_model()
    {
        var manifests = Manifests;
        var chroma = manifests.OfType<V1StatefulSet>().Single();
        Assert.Equal("chroma", chroma.Metadata.Name);
        var claim = Assert.Single(chroma.Spec.VolumeClaimTemplates);
        Assert.Contains(chroma.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/data");

        var prometheus = manifests.Workload("prometheus");
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", prometheus.Container.Args);
        var configVolume = prometheus.Pod.Volumes.Single(v => v.ConfigMap is not null);
        Assert.Contains(prometheus.Container.VolumeMounts, m => m.Name == configVolume.Name && m.MountPath == "/etc/prometheus");
        var config = manifests.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == configVolume.ConfigMap.Name).Data["prometheus.yml"];
        Assert.Equal(File.ReadAllText(Path.Combine(stack.ComposeDirectory, "prometheus.yml")), config);
        Assert.Contains("names: [\"inference-replicas\"]", config);
    }
}
