using System.Globalization;
using System.Text;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.Yaml;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// Writes a kustomization with one manifest file per service: workloads with probes, limits and least-privilege
/// security (non-root, read-only root file system with explicit writable volumes, no service account token, a
/// network policy admitting only the model's connections), Services, autoscalers, disruption budgets and config.
/// Parameters become a ConfigMap and a Secret that kustomize generates at apply time from env files the operator
/// writes, so no value is ever in the output.
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

    /// <summary>How long a new GPU pod must stay ready before a rollout replaces the next one.</summary>
    public const int GpuMinReadySeconds = 30;

    public IReadOnlyDictionary<string, string> Render()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["namespace.yaml"] = YamlWriter.WriteAll([
                new YamlMap()
                    .Add("apiVersion", "v1")
                    .Add("kind", "Namespace")
                    .Add("metadata", new YamlMap().Add("name", options.Namespace).Add("labels", new YamlMap().Add("app.kubernetes.io/part-of", ManifestMetadata.PartOf))),
                NetworkPolicies.DefaultDeny(),
            ], Header),
        };
        foreach (var service in model.Services)
        {
            files[$"{service.Name}.yaml"] = YamlWriter.WriteAll(ServiceDocuments(service), Header);
        }
        if (Autoscalers.AdapterValues() is { } adapterValues)
        {
            files[AutoscalerWriter.AdapterValuesFile] = YamlWriter.Write(adapterValues,
                $"{Header}\n# Helm values for prometheus-community/prometheus-adapter, installed in namespace {options.MetricsAdapterNamespace} (docs/publishing.md).");
        }
        if (SecretParameters.Any())
        {
            files[SecretsEnvFile + ".example"] = EnvFileExample(SecretParameters, SecretsEnvFile);
        }
        if (PlainParameters.Any())
        {
            files[ParametersEnvFile + ".example"] = EnvFileExample(PlainParameters, ParametersEnvFile);
        }
        files["kustomization.yaml"] = YamlWriter.Write(Kustomization(files.Keys.Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) && !f.Contains('/'))), Header);
        return files;
    }

    private IEnumerable<DeployedParameter> SecretParameters => model.Parameters.Where(p => p.Secret);

    private IEnumerable<DeployedParameter> PlainParameters => model.Parameters.Where(p => !p.Secret);

    private YamlMap Kustomization(IEnumerable<string> manifestFiles)
    {
        var kustomization = new YamlMap()
            .Add("apiVersion", "kustomize.config.k8s.io/v1beta1")
            .Add("kind", "Kustomization")
            .Add("namespace", options.Namespace)
            .Add("resources", manifestFiles.OrderBy(f => f == "namespace.yaml" ? 0 : 1).ThenBy(f => f, StringComparer.Ordinal).ToList())
            // Every project image at the build's tag; `kustomize edit set image` points them at a registry.
            .Add("images", model.Services.Where(s => s.Kind == ServiceKind.Project)
                .Select(s => new YamlMap().Add("name", s.Image.Repository).Add("newName", s.Image.Repository).Add("newTag", s.Image.Tag))
                .ToList());
        if (SecretParameters.Any())
        {
            kustomization.Add("secretGenerator", new List<YamlMap>
            {
                new YamlMap().Add("name", SecretName).Add("envs", new List<string> { SecretsEnvFile }),
            });
        }
        if (PlainParameters.Any())
        {
            kustomization.Add("configMapGenerator", new List<YamlMap>
            {
                new YamlMap().Add("name", ParametersConfigMapName).Add("envs", new List<string> { ParametersEnvFile }),
            });
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

    private IEnumerable<YamlMap> ServiceDocuments(DeployedService service)
    {
        var literalEnvironment = service.Environment.Where(e => e.Value.IsLiteral).ToList();
        if (literalEnvironment.Count > 0)
        {
            var data = new YamlMap();
            foreach (var variable in literalEnvironment)
            {
                data.Add(variable.Name, variable.Value.LiteralText);
            }
            yield return Object("v1", "ConfigMap", EnvConfigMapName(service), service).Add("data", data);
        }
        foreach (var directory in ConfigDirectories(service))
        {
            var data = new YamlMap();
            foreach (var file in directory.Files)
            {
                data.Add(file.FileName, new YamlLiteralBlock(file.Content));
            }
            yield return Object("v1", "ConfigMap", directory.ConfigMapName, service).Add("data", data);
        }

        var isStatefulSet = IsStatefulSet(service);
        if (!isStatefulSet)
        {
            foreach (var volume in service.Volumes)
            {
                yield return Object("v1", "PersistentVolumeClaim", VolumeName(volume), service).Add("spec", ClaimSpec());
            }
        }
        yield return Workload(service, isStatefulSet);
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
            yield return Object("policy/v1", "PodDisruptionBudget", service.Name, service).Add("spec", new YamlMap()
                .Add("maxUnavailable", 1)
                .Add("selector", new YamlMap().Add("matchLabels", SelectorLabels(service))));
        }
    }

    /// <summary>
    /// A container that keeps data in volumes is a StatefulSet, unless its data is rebuildable (see
    /// RebuildableDataAnnotation): then it is a Deployment on a claim, replaced in place (Recreate) so the claim is
    /// never shared.
    /// </summary>
    private static bool IsStatefulSet(DeployedService service) =>
        service.Kind == ServiceKind.Container && service.Volumes.Count > 0 && !service.Settings.RebuildableData;

    /// <summary>The service's config files, one ConfigMap, pod volume and read-only mount per target directory.</summary>
    private static IEnumerable<ConfigDirectory> ConfigDirectories(DeployedService service) =>
        service.ConfigFiles.GroupBy(f => f.TargetDirectory, StringComparer.Ordinal).Select((files, i) =>
        {
            var suffix = i == 0 ? "" : $"-{i + 1}";
            return new ConfigDirectory("config" + suffix, $"{service.Name}-config{suffix}", files.Key, [.. files]);
        });

    private sealed record ConfigDirectory(string VolumeName, string ConfigMapName, string MountPath, IReadOnlyList<DeployedConfigFile> Files);

    private YamlMap Workload(DeployedService service, bool isStatefulSet)
    {
        var spec = new YamlMap();
        if (service.Settings.Autoscaling is null)
        {
            spec.Add("replicas", service.Settings.Replicas);
        }
        spec.Add("revisionHistoryLimit", 5);
        if (isStatefulSet)
        {
            spec.Add("serviceName", service.Name);
        }
        spec.Add("selector", new YamlMap().Add("matchLabels", SelectorLabels(service)));
        if (!isStatefulSet && service.Volumes.Count > 0)
        {
            spec.Add("strategy", new YamlMap().Add("type", "Recreate"));
        }
        else if (service.Settings.Gpus is not null)
        {
            // A surge pod would need a GPU the cluster may not have: replace one pod at a time instead (its GPU is
            // freed first), and count a new pod only after it has stayed ready a while (models loaded, serving).
            spec.Add("minReadySeconds", GpuMinReadySeconds);
            spec.Add("strategy", new YamlMap().Add("type", "RollingUpdate").Add("rollingUpdate", new YamlMap()
                .Add("maxSurge", 0)
                .Add("maxUnavailable", 1)));
        }
        spec.Add("template", new YamlMap()
            .Add("metadata", new YamlMap().Add("labels", Labels(service)))
            .Add("spec", PodSpec(service, isStatefulSet)));
        if (isStatefulSet)
        {
            spec.Add("volumeClaimTemplates", service.Volumes.Select(v => new YamlMap()
                .Add("metadata", new YamlMap().Add("name", VolumeName(v)).Add("labels", Labels(service)))
                .Add("spec", ClaimSpec())).ToList());
        }
        return Object("apps/v1", isStatefulSet ? "StatefulSet" : "Deployment", service.Name, service).Add("spec", spec);
    }

    private YamlMap PodSpec(DeployedService service, bool isStatefulSet)
    {
        var user = service.Settings.Conventions.RunAsUser;
        var pod = new YamlMap()
            .Add("securityContext", new YamlMap()
                .Add("runAsNonRoot", true)
                .Add("runAsUser", user)
                .Add("runAsGroup", user)
                .Add("fsGroup", user)
                .Add("seccompProfile", new YamlMap().Add("type", "RuntimeDefault")))
            // No service talks to the Kubernetes API, so none gets a token to do it with.
            .Add("automountServiceAccountToken", false)
            .Add("enableServiceLinks", false)
            .Add("terminationGracePeriodSeconds", 30);
        if (service.Settings.Gpus is not null)
        {
            pod.AddIfPresent("nodeSelector", YamlMap.Sorted(options.GpuNodeSelector));
            if (!string.IsNullOrEmpty(options.GpuTolerationKey))
            {
                pod.Add("tolerations", new List<YamlMap>
                {
                    new YamlMap().Add("key", options.GpuTolerationKey).Add("operator", "Exists").Add("effect", "NoSchedule"),
                });
            }
        }
        pod.Add("containers", new List<YamlMap> { Container(service) });

        var volumes = new List<YamlMap>();
        if (!isStatefulSet)
        {
            volumes.AddRange(service.Volumes.Select(v => new YamlMap()
                .Add("name", VolumeName(v))
                .Add("persistentVolumeClaim", new YamlMap().Add("claimName", VolumeName(v)))));
        }
        volumes.AddRange(ConfigDirectories(service).Select(d => new YamlMap()
            .Add("name", d.VolumeName)
            .Add("configMap", new YamlMap().Add("name", d.ConfigMapName))));
        volumes.AddRange(service.Settings.ScratchDirectories.Select(d => new YamlMap()
            .Add("name", ScratchVolumeName(d))
            .Add("emptyDir", new YamlMap().Add("sizeLimit", $"{d.SizeMi}Mi"))));
        pod.AddIfPresent("volumes", volumes);
        return pod;
    }

    private YamlMap Container(DeployedService service)
    {
        var container = new YamlMap()
            .Add("name", service.Name)
            .Add("image", service.Image.Reference)
            .Add("imagePullPolicy", "IfNotPresent");
        container.AddIfPresent("args", service.Args.Count == 0 ? null : service.Args.Select(a => ExpandableText(a, [])).ToList());
        container.AddIfPresent("ports", service.Ports.Select(p => new YamlMap()
            .Add("name", p.Name)
            .Add("containerPort", p.Port)
            .Add("protocol", "TCP")).ToList());
        if (service.Environment.Any(e => e.Value.IsLiteral))
        {
            container.Add("envFrom", new List<YamlMap>
            {
                new YamlMap().Add("configMapRef", new YamlMap().Add("name", EnvConfigMapName(service))),
            });
        }
        container.AddIfPresent("env", ParameterEnvironment(service));
        container.Add("resources", Resources(service.Settings));

        // Readiness carries the health check (models, dependencies): failing it only takes the pod out of its
        // Services. Only the liveness check, which asks whether the process answers at all, can restart it, and the
        // startup probe gives it time to answer first. A broken model therefore never restarts a pod in a loop.
        if (service.LivenessCheck is { } liveness)
        {
            var alive = HttpGet(liveness);
            container.Add("startupProbe", Probe(alive, period: 5, timeout: 3, failures: 60));
            container.Add("livenessProbe", Probe(alive, period: 20, timeout: 5, failures: 3));
        }
        if (service.HealthCheck is { } health)
        {
            container.Add("readinessProbe", Probe(HttpGet(health), period: 10, timeout: 3, failures: 3));
        }

        container.Add("securityContext", new YamlMap()
            .Add("allowPrivilegeEscalation", false)
            .Add("readOnlyRootFilesystem", true)
            .Add("capabilities", new YamlMap().Add("drop", new List<string> { "ALL" })));

        var mounts = service.Volumes.Select(v => new YamlMap().Add("name", VolumeName(v)).Add("mountPath", v.Target))
            .Concat(ConfigDirectories(service).Select(d => new YamlMap().Add("name", d.VolumeName).Add("mountPath", d.MountPath).Add("readOnly", true)))
            .Concat(service.Settings.ScratchDirectories.Select(d => new YamlMap().Add("name", ScratchVolumeName(d)).Add("mountPath", d.Path)))
            .ToList();
        container.AddIfPresent("volumeMounts", mounts);
        return container;
    }

    private static YamlMap HttpGet(DeployedHealthCheck check) =>
        new YamlMap().Add("httpGet", new YamlMap().Add("path", check.Path).Add("port", check.Port.Name));

    private static YamlMap Probe(YamlMap handler, int period, int timeout, int failures)
    {
        var probe = new YamlMap();
        foreach (var entry in handler)
        {
            probe.Add(entry.Key, entry.Value);
        }
        return probe.Add("periodSeconds", period).Add("timeoutSeconds", timeout).Add("failureThreshold", failures);
    }

    /// <summary>
    /// Parameters come from the generated Secret or ConfigMap by key; a value that mixes text and parameters refers
    /// to them as $(VAR), which Kubernetes expands from variables declared earlier in the list.
    /// </summary>
    private static List<YamlMap> ParameterEnvironment(DeployedService service)
    {
        var env = new List<YamlMap>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in service.Environment.Where(e => !e.Value.IsLiteral))
        {
            if (variable.Value.SingleParameter is { } single)
            {
                env.Add(new YamlMap().Add("name", variable.Name).Add("valueFrom", ParameterSource(single)));
                continue;
            }
            foreach (var parameter in variable.Value.ParameterReferences)
            {
                if (declared.Add(parameter.EnvironmentName))
                {
                    env.Add(new YamlMap().Add("name", HelperName(parameter)).Add("valueFrom", ParameterSource(parameter)));
                }
            }
            env.Add(new YamlMap().Add("name", variable.Name).Add("value", ExpandableText(variable.Value, declared)));
        }
        return env;
    }

    private static YamlMap ParameterSource(DeployedParameter parameter) => parameter.Secret
        ? new YamlMap().Add("secretKeyRef", new YamlMap().Add("name", SecretName).Add("key", parameter.EnvironmentName))
        : new YamlMap().Add("configMapKeyRef", new YamlMap().Add("name", ParametersConfigMapName).Add("key", parameter.EnvironmentName));

    private static string HelperName(DeployedParameter parameter) => "MLSTACK_PARAMETER_" + parameter.EnvironmentName;

    /// <summary>Literal "$(" is escaped as "$$(" so Kubernetes does not expand it.</summary>
    private static string ExpandableText(RenderedValue value, HashSet<string> declared)
    {
        var text = new StringBuilder();
        foreach (var part in value.Parts)
        {
            text.Append(part switch
            {
                string literal => literal.Replace("$(", "$$("),
                DeployedParameter p when declared.Contains(p.EnvironmentName) => $"$({HelperName(p)})",
                DeployedParameter p => throw new NotSupportedException($"Parameter '{p.Name}' cannot be used in container arguments."),
                _ => throw new InvalidOperationException(),
            });
        }
        return text.ToString();
    }

    private static YamlMap Resources(DeploymentSettings settings)
    {
        // Without WithResources a service still gets a floor and a ceiling, so one leak cannot starve the node.
        var requests = new YamlMap();
        var limits = new YamlMap();
        if (settings.Resources is { } compute)
        {
            var cpu = CpuQuantity(compute.Cpu);
            requests.Add("cpu", cpu).Add("memory", compute.Memory);
            limits.Add("cpu", cpu).Add("memory", compute.Memory);
        }
        else
        {
            requests.Add("cpu", "100m").Add("memory", "256Mi");
            limits.Add("cpu", "1").Add("memory", "1Gi");
        }
        if (settings.Gpus is { } gpus)
        {
            limits.Add("nvidia.com/gpu", gpus.ToString(CultureInfo.InvariantCulture));
        }
        return new YamlMap().Add("requests", requests).Add("limits", limits);
    }

    private static string CpuQuantity(double cores)
    {
        var millicores = (int)Math.Round(cores * 1000);
        return millicores % 1000 == 0
            ? (millicores / 1000).ToString(CultureInfo.InvariantCulture)
            : millicores.ToString(CultureInfo.InvariantCulture) + "m";
    }

    private YamlMap ServiceObject(DeployedService service)
    {
        var ports = service.Ports.Select(p =>
        {
            var port = new YamlMap().Add("name", p.Name).Add("port", p.Port).Add("targetPort", p.Name).Add("protocol", "TCP");
            // Lets meshes and gateways speak HTTP/2 cleartext to gRPC ports.
            return p.IsHttp2 ? port.Add("appProtocol", "kubernetes.io/h2c") : port;
        }).ToList();
        return Object("v1", "Service", service.Name, service).Add("spec", new YamlMap()
            .Add("type", service.IsExternal ? options.ExternalServiceType : "ClusterIP")
            .Add("selector", SelectorLabels(service))
            .Add("ports", ports));
    }

    /// <summary>No cluster IP: its DNS name resolves to every ready pod, so a reader such as Prometheus reaches each replica.</summary>
    private YamlMap HeadlessServiceObject(DeployedService service, string name) =>
        Object("v1", "Service", name, service).Add("spec", new YamlMap()
            .Add("clusterIP", "None")
            .Add("selector", SelectorLabels(service))
            .Add("ports", service.Ports.Select(p => new YamlMap().Add("name", p.Name).Add("port", p.Port).Add("targetPort", p.Name).Add("protocol", "TCP")).ToList()));

    /// <summary>Routes the configured host to the service's external HTTP port, with TLS from the named Secret when set.</summary>
    private YamlMap IngressObject(DeployedService service)
    {
        var externals = model.Services.Where(s => s.IsExternal).Select(s => s.Name).ToList();
        if (externals.Count > 1)
        {
            throw new InvalidOperationException(
                $"{KubernetesPublishOptions.SectionName}:Ingress:Host routes one host to one service, but {string.Join(", ", externals)} are external.");
        }
        var port = service.Ports.First(p => p.IsExternal && !p.IsHttp2);
        var host = options.Ingress.Host!;
        var spec = new YamlMap();
        if (!string.IsNullOrEmpty(options.Ingress.ClassName))
        {
            spec.Add("ingressClassName", options.Ingress.ClassName);
        }
        if (!string.IsNullOrEmpty(options.Ingress.TlsSecretName))
        {
            spec.Add("tls", new List<YamlMap> { new YamlMap().Add("hosts", new List<string> { host }).Add("secretName", options.Ingress.TlsSecretName) });
        }
        spec.Add("rules", new List<YamlMap>
        {
            new YamlMap().Add("host", host).Add("http", new YamlMap().Add("paths", new List<YamlMap>
            {
                new YamlMap().Add("path", "/").Add("pathType", "Prefix").Add("backend", new YamlMap().Add("service", new YamlMap()
                    .Add("name", service.Name)
                    .Add("port", new YamlMap().Add("name", port.Name)))),
            })),
        });
        return Object("networking.k8s.io/v1", "Ingress", service.Name, service).Add("spec", spec);
    }

    private YamlMap ClaimSpec()
    {
        var spec = new YamlMap()
            .Add("accessModes", new List<string> { "ReadWriteOnce" })
            .Add("resources", new YamlMap().Add("requests", new YamlMap().Add("storage", options.StorageSize)));
        if (!string.IsNullOrEmpty(options.StorageClassName))
        {
            spec.Add("storageClassName", options.StorageClassName);
        }
        return spec;
    }

    private YamlMap Object(string apiVersion, string kind, string name, DeployedService service) => _metadata.Object(apiVersion, kind, name, service);

    private static YamlMap SelectorLabels(DeployedService service) => ManifestMetadata.SelectorLabels(service.Name);

    private static YamlMap Labels(DeployedService service) => ManifestMetadata.Labels(service);

    private static string EnvConfigMapName(DeployedService service) => $"{service.Name}-env";

    /// <summary>Volume names become DNS labels: "mlstack-chroma-data" stays, anything else is lower-cased and dashed.</summary>
    private static string VolumeName(DeployedVolume volume) => DnsLabel(volume.Name);

    /// <summary>"/tmp" is mounted from volume "scratch-tmp".</summary>
    private static string ScratchVolumeName(ScratchDirectoryAnnotation directory) => DnsLabel("scratch-" + directory.Path);

    private static string DnsLabel(string name)
    {
        var label = System.Text.RegularExpressions.Regex.Replace(name.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
        return label.Length <= 63 ? label : label[..63].TrimEnd('-');
    }
}
