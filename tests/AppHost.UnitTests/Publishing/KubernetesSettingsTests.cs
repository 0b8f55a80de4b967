using k8s;
using k8s.Models;
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

            var services = objects.OfType<V1Service>().ToDictionary(s => s.Metadata.Name, s => s.Spec.Type);
            Assert.Equal("LoadBalancer", services["dashboard"]);
            Assert.All(services.Where(s => s.Key != "dashboard"), s => Assert.Equal("ClusterIP", s.Value));

            Assert.Equal("ml-prod", objects.OfType<V1Namespace>().Single().Metadata.Name);
            Assert.Contains("namespace: ml-prod", File.ReadAllText(Path.Combine(k8sDirectory, "kustomization.yaml")));

            var pod = objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == "inference").Spec.Template.Spec;
            Assert.Equal("a100", pod.NodeSelector["gpu-pool"]);
            Assert.Equal("dedicated-gpu", pod.Tolerations.Single().Key);
            Assert.Equal("fast-ssd", objects.OfType<V1StatefulSet>().Single().Spec.VolumeClaimTemplates.Single().Spec.StorageClassName);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
