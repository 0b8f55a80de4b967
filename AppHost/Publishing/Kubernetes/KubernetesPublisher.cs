using System.Text;
using k8s;
using k8s.Models;
using MlStack.AppHost.Publishing.Yaml;
using static MlStack.AppHost.Publishing.Kubernetes.PodVolumes;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// Writes a kustomization with one manifest file per service: workloads (see <see cref="WorkloadWriter"/>), Services,
/// a network policy admitting only the model's connections, autoscalers, disruption budgets and config, each built
/// from KubernetesClient's typed models and written by its serializer. Parameters become a ConfigMap and a Secret that
/// kustomize generates at apply time from env files the operator writes, so no value is ever in the output.
/// </summary>
public sealed class KubernetesPublisher(DeploymentModel model, KubernetesPublishOptions options)
{
    public const string Header = GeneratedFileHeader.Text;
    public const string SecretName = "mlstack-secrets";
    public const string ParametersConfigMapName = "mlstack-parameters";
    public const string SecretsEnvFile = "secrets.env";
    public const string ParametersEnvFile = "parameters.env";

    private readonly ManifestMetadata _metadata = new(options.Namespace);
    private NetworkPolicyWriter NetworkPolicies => new(model, _metadata, options);
    private AutoscalerWriter Autoscalers => new(model, _metadata);
    private WorkloadWriter Workloads => new(_metadata, options);

    public IReadOnlyDictionary<string, string> Render()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["namespace.yaml"] = ManifestFile.Write([
                new V1Namespace
                {
                    Metadata = new V1ObjectMeta { Name = options.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = ManifestMetadata.PartOf } },
                }.Initialize(),
                NetworkPolicies.DefaultDeny(),
            ]),
        };
        foreach (var service in model.Services)
        {
            files[$"{service.Name}.yaml"] = ManifestFile.Write(ServiceDocuments(service));
        }
        if (Autoscalers.AdapterValues() is { } adapterValues)
        {
            files[AutoscalerWriter.AdapterValuesFile] = PublishedYaml.Write(adapterValues, Header,
                $"Helm values for prometheus-community/prometheus-adapter, installed in namespace {options.MetricsAdapterNamespace} (docs/publishing.md).");
        }
        if (SecretParameters.Any())
        {
            files[SecretsEnvFile + ".example"] = EnvFileExample(SecretParameters, SecretsEnvFile);
        }
        if (PlainParameters.Any())
        {
            files[ParametersEnvFile + ".example"] = EnvFileExample(PlainParameters, ParametersEnvFile);
        }
        files["kustomization.yaml"] = PublishedYaml.Write(Kustomization(files.Keys.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) && !f.Contains('/'))), Header);
        return files;
    }

    private IEnumerable<DeployedParameter> SecretParameters => model.Parameters.Where(p => p.Secret);

    private IEnumerable<DeployedParameter> PlainParameters => model.Parameters.Where(p => !p.Secret);

    private Kustomization Kustomization(IEnumerable<string> manifestFiles)
    {
        var kustomization = new Kustomization
        {
            Namespace = options.Namespace,
            Resources = [.. manifestFiles.OrderBy(f => f == "namespace.yaml" ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal)],
            // Every project image at the build's tag; `kustomize edit set image` points them at a registry.
            Images = [.. model.Services.Where(s => s.Kind == ServiceKind.Project)
                .Select(s => new KustomizeImage(s.Image.Repository, s.Image.Repository, s.Image.Tag))],
        };
        if (SecretParameters.Any())
        {
            kustomization.SecretGenerator = [new KustomizeGenerator(SecretName, [SecretsEnvFile])];
        }
        if (PlainParameters.Any())
        {
            kustomization.ConfigMapGenerator = [new KustomizeGenerator(ParametersConfigMapName, [ParametersEnvFile])];
        }
        return kustomization;
    }

    private static string EnvFileExample(IEnumerable<DeployedParameter> parameters, string fileName)
    {
        var text = new StringBuilder()
            .AppendLine($"# Copy to {fileName} and fill in; kustomize turns it into a {(fileName == SecretsEnvFile ? "Secret" : "ConfigMap")} at apply time.")
            .AppendLine($"# Keep {fileName} out of source control.");
        foreach (var parameter in parameters)
        {
            text.AppendLine($"# {parameter.Name}").AppendLine($"{parameter.EnvironmentName}=");
        }
        return text.ToString();
    }

    private IEnumerable<object> ServiceDocuments(DeployedService service)
    {
        var literalEnvironment = service.Environment.Where(e => e.Value.IsLiteral).ToList();
        if (literalEnvironment.Count > 0)
        {
            yield return ConfigMap(EnvConfigMapName(service), service, literalEnvironment.Select(v => KeyValuePair.Create(v.Name, v.Value.LiteralText)));
        }
        foreach (var directory in ConfigDirectories(service))
        {
            yield return ConfigMap(directory.ConfigMapName, service, directory.Files.Select(f => KeyValuePair.Create(f.FileName, f.Content)));
        }
        if (!WorkloadWriter.IsStatefulSet(service))
        {
            foreach (var volume in service.Volumes)
            {
                yield return _metadata.Object(new V1PersistentVolumeClaim { Spec = ClaimSpec(options) }, VolumeName(volume), service);
            }
        }
        yield return Workloads.Workload(service);
        if (service.Ports.Count > 0)
        {
            yield return ServiceObject(service);
        }
        if (service.EveryReplicaHost is { } everyReplica)
        {
            yield return HeadlessServiceObject(service, everyReplica);
        }
        yield return NetworkPolicies.For(service);
        if (service.IsExternal && !string.IsNullOrEmpty(options.Ingress.Host))
        {
            yield return IngressObject(service);
        }
        if (service.Settings.Autoscaling is { } autoscaling)
        {
            yield return Autoscalers.Autoscaler(service, autoscaling);
        }
        if (service.Settings.Autoscaling is not null || service.Settings.Replicas > 1 || service.Settings.Gpus is not null)
        {
            // maxUnavailable, not minAvailable: a single-replica service must still let a node drain.
            yield return _metadata.Object(new V1PodDisruptionBudget
            {
                Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = ManifestMetadata.Selector(service.Name) },
            }, service.Name, service);
        }
    }

    private V1ConfigMap ConfigMap(string name, DeployedService service, IEnumerable<KeyValuePair<string, string>> data) =>
        _metadata.Object(new V1ConfigMap { Data = new Dictionary<string, string>(data) }, name, service);

    private V1Service ServiceObject(DeployedService service) => _metadata.Object(new V1Service
    {
        Spec = new V1ServiceSpec
        {
            Type = service.IsExternal ? options.ExternalServiceType : "ClusterIP",
            Selector = ManifestMetadata.SelectorLabels(service.Name),
            // appProtocol h2c lets meshes and gateways speak HTTP/2 cleartext to gRPC ports.
            Ports = [.. service.Ports.Select(p => ServicePort(p, p.IsHttp2 ? "kubernetes.io/h2c" : null))],
        },
    }, service.Name, service);

    private static V1ServicePort ServicePort(DeployedPort port, string? appProtocol) =>
        new() { Name = port.Name, Port = port.Port, TargetPort = port.Name, Protocol = "TCP", AppProtocol = appProtocol };

    /// <summary>No cluster IP: its DNS name resolves to every ready pod, so a reader such as Prometheus reaches each replica.</summary>
    private V1Service HeadlessServiceObject(DeployedService service, string name) => _metadata.Object(new V1Service
    {
        Spec = new V1ServiceSpec
        {
            ClusterIP = "None",
            Selector = ManifestMetadata.SelectorLabels(service.Name),
            Ports = [.. service.Ports.Select(p => ServicePort(p, appProtocol: null))],
        },
    }, name, service);

    /// <summary>Routes the configured host to the service's external HTTP port, with TLS from the named Secret when set.</summary>
    private V1Ingress IngressObject(DeployedService service)
    {
        var externals = model.Services.Where(s => s.IsExternal).Select(s => s.Name).ToList();
        if (externals.Count > 1)
        {
            throw new InvalidOperationException(
                $"{KubernetesPublishOptions.SectionName}:Ingress:Host routes one host to one service, but {string.Join(", ", externals)} are external.");
        }
        var port = service.Ports.First(p => p.IsExternal && !p.IsHttp2);
        var host = options.Ingress.Host!;
        return _metadata.Object(new V1Ingress
        {
            Spec = new V1IngressSpec
            {
                IngressClassName = string.IsNullOrEmpty(options.Ingress.ClassName) ? null : options.Ingress.ClassName,
                Tls = string.IsNullOrEmpty(options.Ingress.TlsSecretName) ? null
                    : [new V1IngressTLS { Hosts = [host], SecretName = options.Ingress.TlsSecretName }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = host,
                        Http = new V1HTTPIngressRuleValue
                        {
                            Paths =
                            [
                                new V1HTTPIngressPath
                                {
                                    Path = "/",
                                    PathType = "Prefix",
                                    Backend = new V1IngressBackend
                                    {
                                        Service = new V1IngressServiceBackend { Name = service.Name, Port = new V1ServiceBackendPort { Name = port.Name } },
                                    },
                                },
                            ],
                        },
                    },
                ],
            },
        }, service.Name, service);
    }
}
