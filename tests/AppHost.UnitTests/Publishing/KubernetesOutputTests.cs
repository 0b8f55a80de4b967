using k8s;
using k8s.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;
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

    private Kustomization ReadKustomization() =>
        // Strict: an unknown field in kustomization.yaml is an error, like in the manifests.
        new DeserializerBuilder().WithNamingConvention(CamelCaseNamingConvention.Instance).Build()
            .Deserialize<Kustomization>(File.ReadAllText(Path.Combine(stack.KubernetesDirectory, "kustomization.yaml")));

    private List<object> LoadAll()
    {
        var objects = new List<object>();
        foreach (var file in ReadKustomization().Resources)
        {
            objects.AddRange(KubernetesYaml.LoadAllFromString(File.ReadAllText(Path.Combine(stack.KubernetesDirectory, file)), strict: true));
        }
        return objects;
    }

    [Fact]
    public void Every_manifest_is_listed_and_parses_strictly_into_its_KubernetesClient_type()
    {
        var kustomization = ReadKustomization();
        var manifests = Directory.GetFiles(stack.KubernetesDirectory, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml").Order();
        Assert.Equal(manifests, kustomization.Resources.Order());

        var objects = LoadAll();
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
        Assert.DoesNotContain(objects, o => o.GetType() == typeof(object));

        var kinds = objects.Select(o => o.GetType().Name).ToHashSet();
        foreach (var kind in new[] { nameof(V1Namespace), nameof(V1Deployment), nameof(V1StatefulSet), nameof(V1Service), nameof(V1ConfigMap), nameof(V2HorizontalPodAutoscaler), nameof(V1PodDisruptionBudget), nameof(V1PersistentVolumeClaim) })
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
        var kustomization = ReadKustomization();
        var objects = LoadAll().Cast<IKubernetesObject<V1ObjectMeta>>().ToList();
        Assert.Equal(kustomization.Namespace, objects.OfType<V1Namespace>().Single().Metadata.Name);
        foreach (var o in objects.Where(o => o is not V1Namespace))
        {
            Assert.Equal(kustomization.Namespace, o.Metadata.NamespaceProperty);
            Assert.Equal("mlstack", o.Metadata.Labels["app.kubernetes.io/part-of"]);
            Assert.True(o.Metadata.Labels.ContainsKey("app.kubernetes.io/name"), $"{o.Kind}/{o.Metadata.Name} has no name label");
            Assert.True(o.Metadata.Labels.ContainsKey("app.kubernetes.io/managed-by"));
        }
    }

    [Fact]
    public void Workload_selectors_match_their_pods_and_every_reference_is_produced()
    {
        var kustomization = ReadKustomization();
        var objects = LoadAll();
        var configMaps = objects.OfType<V1ConfigMap>().Select(c => c.Metadata.Name)
            .Concat(kustomization.ConfigMapGenerator.Select(g => g.Name)).ToHashSet();
        var secrets = kustomization.SecretGenerator.Select(g => g.Name).ToHashSet();
        var claims = objects.OfType<V1PersistentVolumeClaim>().Select(c => c.Metadata.Name).ToHashSet();

        var workloads = Workloads(objects).ToList();
        Assert.Equal(HealthPaths.Keys.Order(), workloads.Select(w => w.Name).Order());
        foreach (var (name, selector, template, claimTemplates) in workloads)
        {
            Assert.NotEmpty(selector);
            Assert.All(selector, l => Assert.Equal(l.Value, template.Metadata.Labels[l.Key]));

            var pod = template.Spec;
            var podVolumes = (pod.Volumes ?? []).Select(v => v.Name).Concat(claimTemplates).ToHashSet();
            foreach (var volume in pod.Volumes ?? [])
            {
                if (volume.ConfigMap is { } configMap)
                {
                    Assert.Contains(configMap.Name, configMaps);
                }
                if (volume.PersistentVolumeClaim is { } claim)
                {
                    Assert.Contains(claim.ClaimName, claims);
                }
            }
            var container = Assert.Single(pod.Containers);
            foreach (var source in container.EnvFrom ?? [])
            {
                Assert.True(source.ConfigMapRef is null || configMaps.Contains(source.ConfigMapRef.Name), $"{name}: ConfigMap {source.ConfigMapRef?.Name} is not produced");
                Assert.True(source.SecretRef is null || secrets.Contains(source.SecretRef.Name), $"{name}: Secret {source.SecretRef?.Name} is not produced");
            }
            foreach (var variable in container.Env ?? [])
            {
                Assert.True(variable.ValueFrom?.ConfigMapKeyRef is null || configMaps.Contains(variable.ValueFrom.ConfigMapKeyRef.Name));
                Assert.True(variable.ValueFrom?.SecretKeyRef is null || secrets.Contains(variable.ValueFrom.SecretKeyRef.Name),
                    $"{name}: {variable.Name} reads Secret {variable.ValueFrom?.SecretKeyRef?.Name}, which is not generated");
            }
            Assert.All(container.VolumeMounts ?? [], m => Assert.Contains(m.Name, podVolumes));

            // Non-root, no privilege escalation.
            Assert.True(pod.SecurityContext.RunAsNonRoot);
            Assert.True(pod.SecurityContext.RunAsUser > 0);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
            Assert.Contains("ALL", container.SecurityContext.Capabilities.Drop);

            // Requests and limits everywhere.
            Assert.True(container.Resources.Requests.ContainsKey("cpu") && container.Resources.Requests.ContainsKey("memory"), $"{name} has no requests");
            Assert.True(container.Resources.Limits.ContainsKey("cpu") && container.Resources.Limits.ContainsKey("memory"), $"{name} has no limits");
        }
    }

    [Fact]
    public void Probes_point_at_real_ports_and_the_models_health_paths()
    {
        foreach (var (name, _, template, _) in Workloads(LoadAll()))
        {
            var container = template.Spec.Containers.Single();
            var ports = container.Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
            foreach (var probe in new[] { container.StartupProbe, container.ReadinessProbe, container.LivenessProbe })
            {
                Assert.NotNull(probe);
                if (probe.HttpGet is { } httpGet)
                {
                    Assert.Equal(HealthPaths[name], httpGet.Path);
                    Assert.True(ports.ContainsKey(httpGet.Port.Value) || ports.ContainsValue(int.Parse(httpGet.Port.Value)),
                        $"{name}: probe port {httpGet.Port.Value} is not a container port");
                }
                else
                {
                    Assert.NotNull(probe.Grpc);
                    Assert.Contains(probe.Grpc.Port, ports.Values);
                }
            }
        }
        var inference = Workloads(LoadAll()).Single(w => w.Name == "inference").Template.Spec.Containers.Single();
        Assert.Equal(inference.Ports.Single(p => p.Name == "grpc").ContainerPort, inference.LivenessProbe.Grpc.Port);
    }

    [Fact]
    public void Services_are_ClusterIP_and_target_ports_that_exist_in_their_pods()
    {
        var objects = LoadAll();
        var workloads = Workloads(objects).ToList();
        var services = objects.OfType<V1Service>().ToList();
        Assert.Equal(HealthPaths.Keys.Order(), services.Select(s => s.Metadata.Name).Order());
        foreach (var service in services)
        {
            Assert.Equal("ClusterIP", service.Spec.Type);
            var pods = workloads.Where(w => service.Spec.Selector.All(l => w.Template.Metadata.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).ToList();
            var workload = Assert.Single(pods);
            var ports = workload.Template.Spec.Containers.Single().Ports;
            foreach (var port in service.Spec.Ports)
            {
                Assert.Contains(ports, p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString() == port.TargetPort.Value);
            }
        }
    }

    [Fact]
    public void Inference_gets_a_gpu_an_autoscaler_and_a_disruption_budget()
    {
        var objects = LoadAll();
        var deployment = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "inference");
        var pod = deployment.Spec.Template.Spec;
        Assert.Equal("1", pod.Containers.Single().Resources.Limits["nvidia.com/gpu"].ToString());
        Assert.Contains(pod.Tolerations, t => t.Key == "nvidia.com/gpu" && t.OperatorProperty == "Exists");
        Assert.Equal("true", pod.NodeSelector["nvidia.com/gpu.present"]);

        var autoscaler = objects.OfType<V2HorizontalPodAutoscaler>().Single();
        Assert.Equal(("Deployment", "inference"), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        Assert.Equal(1, autoscaler.Spec.MinReplicas);
        Assert.Equal(4, autoscaler.Spec.MaxReplicas);
        Assert.Equal(70, autoscaler.Spec.Metrics.Single().Resource.Target.AverageUtilization);
        Assert.Null(deployment.Spec.Replicas);

        var budget = objects.OfType<V1PodDisruptionBudget>().Single();
        Assert.All(budget.Spec.Selector.MatchLabels, l => Assert.Equal(l.Value, deployment.Spec.Template.Metadata.Labels[l.Key]));
        Assert.Null(objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "vectors").Spec.Template.Spec.Tolerations);
    }

    [Fact]
    public void A_gpu_workload_rolls_out_without_a_surge_pod_so_it_needs_no_spare_gpu()
    {
        var deployments = LoadAll().OfType<V1Deployment>().ToList();
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
        var objects = LoadAll();
        var chroma = objects.OfType<V1StatefulSet>().Single();
        Assert.Equal("chroma", chroma.Metadata.Name);
        var claim = Assert.Single(chroma.Spec.VolumeClaimTemplates);
        Assert.Contains(chroma.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/data");

        var prometheus = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "prometheus");
        var container = prometheus.Spec.Template.Spec.Containers.Single();
        Assert.Contains("--config.file=/etc/prometheus/prometheus.yml", container.Args);
        var configVolume = prometheus.Spec.Template.Spec.Volumes.Single(v => v.ConfigMap is not null);
        Assert.Contains(container.VolumeMounts, m => m.Name == configVolume.Name && m.MountPath == "/etc/prometheus");
        var config = objects.OfType<V1ConfigMap>().Single(c => c.Metadata.Name == configVolume.ConfigMap.Name).Data["prometheus.yml"];
        Assert.Equal(File.ReadAllText(Path.Combine(stack.ComposeDirectory, "prometheus.yml")), config);
        Assert.Contains("\"inference:8080\"", config);
    }

    private static IEnumerable<(string Name, IDictionary<string, string> Selector, V1PodTemplateSpec Template, IEnumerable<string> ClaimTemplates)> Workloads(List<object> objects) =>
        objects.OfType<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Selector.MatchLabels, d.Spec.Template, Enumerable.Empty<string>()))
            .Concat(objects.OfType<V1StatefulSet>().Select(s => (s.Metadata.Name, s.Spec.Selector.MatchLabels, s.Spec.Template,
                (s.Spec.VolumeClaimTemplates ?? []).Select(c => c.Metadata.Name))));

    public sealed class Kustomization
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
