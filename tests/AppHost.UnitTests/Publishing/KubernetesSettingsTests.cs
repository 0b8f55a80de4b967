using k8s;
using k8s.Models;
using MlStack.AppHost.Runtime;
using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>Cluster choices come from MlStack:Publish:Kubernetes, not from code.</summary>
public sealed class KubernetesSettingsTests
{
    [Fact]
    public async Task Dashboard_exposure_namespace_and_gpu_placement_are_settings()
    {
        var output = AppHostPublishing.NewOutputDirectory();
        try
        {
            await AppHostPublishing.PublishInProcessAsync(output, extendModel: null,
                "--MlStack:Publish:Kubernetes:ExternalServiceType=LoadBalancer",
                "--MlStack:Publish:Kubernetes:Namespace=ml-prod",
                "--MlStack:Publish:Kubernetes:GpuNodeSelector:gpu-pool=a100",
                "--MlStack:Publish:Kubernetes:GpuTolerationKey=dedicated-gpu",
                "--MlStack:Publish:Kubernetes:StorageClassName=fast-ssd");

            var k8sDirectory = Path.Combine(output, "k8s");
            var objects = Directory.GetFiles(k8sDirectory, "*.yaml").Where(f => !f.EndsWith("kustomization.yaml"))
                .SelectMany(f => KubernetesYaml.LoadAllFromString(File.ReadAllText(f), strict: true)).ToList();

            var services = objects.OfType<V1Service>().Where(s => s.Spec.ClusterIP != "None").ToDictionary(s => s.Metadata.Name, s => s.Spec.Type);
            Assert.Equal("LoadBalancer", services["dashboard"]);
            Assert.All(services.Where(s => s.Key != "dashboard"), s => Assert.Equal("ClusterIP", s.Value));

            Assert.Equal("ml-prod", objects.OfType<V1Namespace>().Single().Metadata.Name);
            Assert.Contains("namespace: ml-prod", File.ReadAllText(Path.Combine(k8sDirectory, "kustomization.yaml")));

            var pod = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "inference").Spec.Template.Spec;
            Assert.Equal("a100", pod.NodeSelector["gpu-pool"]);
            Assert.Equal("dedicated-gpu", pod.Tolerations.Single().Key);
            Assert.Equal("fast-ssd", objects.OfType<V1StatefulSet>().Single().Spec.VolumeClaimTemplates.Single().Spec.StorageClassName);
            // Without a host there is no Ingress.
            Assert.Empty(objects.OfType<V1Ingress>());
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task An_Ingress_for_the_dashboard_only_its_image_tag_and_the_adapters_namespace_are_settings()
    {
        var output = AppHostPublishing.NewOutputDirectory();
        try
        {
            await AppHostPublishing.PublishInProcessAsync(output, extendModel: null,
                "--MlStack:Publish:Kubernetes:Ingress:Host=mlstack.example.com",
                "--MlStack:Publish:Kubernetes:Ingress:TlsSecretName=mlstack-tls",
                "--MlStack:Publish:Kubernetes:Ingress:ClassName=nginx",
                "--MlStack:Publish:Kubernetes:MetricsAdapterNamespace=observability",
                "--MlStack:Publish:ImageTag=2.5.0-rc.1");

            var manifests = new KubernetesManifests(Path.Combine(output, "k8s"));
            var ingress = Assert.Single(manifests.OfType<V1Ingress>());
            Assert.Equal("dashboard", ingress.Metadata.Name);
            Assert.Equal("nginx", ingress.Spec.IngressClassName);
            Assert.Equal(["mlstack.example.com"], ingress.Spec.Tls.Single().Hosts);
            Assert.Equal("mlstack-tls", ingress.Spec.Tls.Single().SecretName);
            var rule = ingress.Spec.Rules.Single();
            Assert.Equal("mlstack.example.com", rule.Host);
            var backend = rule.Http.Paths.Single().Backend.Service;
            var dashboard = manifests.ClusterServices.Single(s => s.Metadata.Name == backend.Name);
            Assert.Contains(dashboard.Spec.Ports, p => p.Name == backend.Port.Name);
            Assert.Equal("ClusterIP", dashboard.Spec.Type);

            Assert.All(manifests.Kustomization.Images, i => Assert.Equal("2.5.0-rc.1", i.NewTag));
            Assert.Contains("mlstack/inference:2.5.0-rc.1", File.ReadAllText(Path.Combine(output, "sagemaker", "inference.create-model.json")));
            Assert.Contains("${INFERENCE_IMAGE:-mlstack/inference:2.5.0-rc.1}", File.ReadAllText(Path.Combine(output, "compose", "docker-compose.yaml")));

            var prometheusPolicy = manifests.OfType<V1NetworkPolicy>().Single(p => p.Metadata.Name == "prometheus");
            Assert.Contains(prometheusPolicy.Spec.Ingress.SelectMany(r => r.FromProperty),
                p => p.NamespaceSelector?.MatchLabels["kubernetes.io/metadata.name"] == "observability");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Theory]
    [InlineData("--MlStack:Publish:ImageTag=not a tag", "ImageTag")]
    [InlineData("--MlStack:Publish:Kubernetes:Ingress:Host=Not_A_Host", "Ingress:Host")]
    [InlineData("--MlStack:Publish:SageMaker:InstanceType=g5.xlarge", "InstanceType")]
    [InlineData("--MlStack:Publish:Vertex:ArtifactUri=s3://bucket/models", "ArtifactUri")]
    public async Task A_bad_setting_stops_publishing_with_an_error_naming_it(string setting, string named)
    {
        var output = AppHostPublishing.NewOutputDirectory();
        try
        {
            var error = await Assert.ThrowsAsync<StackCannotStartException>(() => AppHostPublishing.PublishInProcessAsync(output, extendModel: null, setting));
            Assert.Contains(named, error.Message);
            Assert.DoesNotContain(Directory.GetFileSystemEntries(output), e => Path.GetFileName(e) != ".state");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
