using System.Globalization;
using System.Text;
using k8s.Models;
using static MlStack.AppHost.Publishing.Kubernetes.PodVolumes;

namespace MlStack.AppHost.Publishing.Kubernetes;

/// <summary>
/// A service's Deployment or StatefulSet: least-privilege pod (non-root, read-only root file system with explicit
/// writable volumes, no service account token), probes, resources, and parameters from the generated Secret and
/// ConfigMap by key.
/// </summary>
public sealed class WorkloadWriter(ManifestMetadata metadata, KubernetesPublishOptions options)
{
    /// <summary>How long a new GPU pod must stay ready before a rollout replaces the next one.</summary>
    public const int GpuMinReadySeconds = 30;

    /// <summary>
    /// A container that keeps data in volumes is a StatefulSet, unless its data is rebuildable (see
    /// RebuildableDataAnnotation): then it is a Deployment on a claim, replaced in place (Recreate) so the claim is
    /// never shared.
    /// </summary>
    public static bool IsStatefulSet(DeployedService service) =>
        service.Kind == ServiceKind.Container && service.Volumes.Count > 0 && !service.Settings.RebuildableData;

    public object Workload(DeployedService service)
    {
        var template = new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = ManifestMetadata.Labels(service) },
            Spec = PodSpec(service),
        };
        var replicas = service.Settings.Autoscaling is null ? service.Settings.Replicas : (int?)null;
        if (IsStatefulSet(service))
        {
            return metadata.Object(new V1StatefulSet
            {
                Spec = new V1StatefulSetSpec
                {
                    Replicas = replicas,
                    RevisionHistoryLimit = 5,
                    ServiceName = service.Name,
                    Selector = ManifestMetadata.Selector(service.Name),
                    Template = template,
                    VolumeClaimTemplates = [.. service.Volumes.Select(v => new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = VolumeName(v), Labels = ManifestMetadata.Labels(service) },
                        Spec = ClaimSpec(options),
                    })],
                },
            }, service.Name, service);
        }
        var spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            RevisionHistoryLimit = 5,
            Selector = ManifestMetadata.Selector(service.Name),
            Template = template,
        };
        if (service.Volumes.Count > 0)
        {
            spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        }
        else if (service.Settings.Gpus is not null)
        {
            // A surge pod would need a GPU the cluster may not have: replace one pod at a time instead (its GPU is
            // freed first), and count a new pod only after it has stayed ready a while (models loaded, serving).
            spec.MinReadySeconds = GpuMinReadySeconds;
            spec.Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 0, MaxUnavailable = 1 },
            };
        }
        return metadata.Object(new V1Deployment { Spec = spec }, service.Name, service);
    }

    private V1PodSpec PodSpec(DeployedService service)
    {
        long user = service.Settings.Conventions.RunAsUser;
        var pod = new V1PodSpec
        {
            SecurityContext = new V1PodSecurityContext
            {
                RunAsNonRoot = true,
                RunAsUser = user,
                RunAsGroup = user,
                FsGroup = user,
                SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
            },
            // No service talks to the Kubernetes API, so none gets a token to do it with.
            AutomountServiceAccountToken = false,
            EnableServiceLinks = false,
            TerminationGracePeriodSeconds = 30,
            Containers = [Container(service)],
        };
        if (service.Settings.Gpus is not null)
        {
            pod.NodeSelector = options.GpuNodeSelector.Count == 0 ? null
                : new SortedDictionary<string, string>(options.GpuNodeSelector, StringComparer.Ordinal);
            if (!string.IsNullOrEmpty(options.GpuTolerationKey))
            {
                pod.Tolerations = [new V1Toleration { Key = options.GpuTolerationKey, OperatorProperty = "Exists", Effect = "NoSchedule" }];
            }
        }

        var volumes = new List<V1Volume>();
        if (!IsStatefulSet(service))
        {
            volumes.AddRange(service.Volumes.Select(v => new V1Volume
            {
                Name = VolumeName(v),
                PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = VolumeName(v) },
            }));
        }
        volumes.AddRange(ConfigDirectories(service).Select(d => new V1Volume { Name = d.VolumeName, ConfigMap = new V1ConfigMapVolumeSource { Name = d.ConfigMapName } }));
        volumes.AddRange(service.Settings.ScratchDirectories.Select(d => new V1Volume
        {
            Name = ScratchVolumeName(d),
            EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity($"{d.SizeMi}Mi") },
        }));
        pod.Volumes = volumes.Count == 0 ? null : volumes;
        return pod;
    }

    private static V1Container Container(DeployedService service)
    {
        var container = new V1Container
        {
            Name = service.Name,
            Image = service.Image.Reference,
            ImagePullPolicy = "IfNotPresent",
            Args = service.Args.Count == 0 ? null : [.. service.Args.Select(a => ExpandableText(a, []))],
            Ports = service.Ports.Count == 0 ? null
                : [.. service.Ports.Select(p => new V1ContainerPort { Name = p.Name, ContainerPort = p.Port, Protocol = "TCP" })],
            EnvFrom = service.Environment.Any(e => e.Value.IsLiteral)
                ? [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = EnvConfigMapName(service) } }]
                : null,
            Env = ParameterEnvironment(service) is { Count: > 0 } env ? env : null,
            Resources = Resources(service.Settings),
            SecurityContext = new V1SecurityContext
            {
                AllowPrivilegeEscalation = false,
                ReadOnlyRootFilesystem = true,
                Capabilities = new V1Capabilities { Drop = ["ALL"] },
            },
        };

        // Readiness carries the health check (models, dependencies): failing it only takes the pod out of its
        // Services. Only the liveness check, which asks whether the process answers at all, can restart it, and the
        // startup probe gives it time to answer first. A broken model therefore never restarts a pod in a loop.
        if (service.LivenessCheck is { } liveness)
        {
            container.StartupProbe = Probe(liveness, period: 5, timeout: 3, failures: 60);
            container.LivenessProbe = Probe(liveness, period: 20, timeout: 5, failures: 3);
        }
        if (service.HealthCheck is { } health)
        {
            container.ReadinessProbe = Probe(health, period: 10, timeout: 3, failures: 3);
        }

        var mounts = service.Volumes.Select(v => new V1VolumeMount { Name = VolumeName(v), MountPath = v.Target })
            .Concat(ConfigDirectories(service).Select(d => new V1VolumeMount { Name = d.VolumeName, MountPath = d.MountPath, ReadOnlyProperty = true }))
            .Concat(service.Settings.ScratchDirectories.Select(d => new V1VolumeMount { Name = ScratchVolumeName(d), MountPath = d.Path }))
            .ToList();
        container.VolumeMounts = mounts.Count == 0 ? null : mounts;
        return container;
    }

    private static V1Probe Probe(DeployedHealthCheck check, int period, int timeout, int failures) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = check.Path, Port = check.Port.Name },
        PeriodSeconds = period,
        TimeoutSeconds = timeout,
        FailureThreshold = failures,
    };

    /// <summary>
    /// Parameters come from the generated Secret or ConfigMap by key; a value that mixes text and parameters refers
    /// to them as $(VAR), which Kubernetes expands from variables declared earlier in the list.
    /// </summary>
    private static List<V1EnvVar> ParameterEnvironment(DeployedService service)
    {
        var env = new List<V1EnvVar>();
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variable in service.Environment.Where(e => !e.Value.IsLiteral))
        {
            if (variable.Value.SingleParameter is { } single)
            {
                env.Add(new V1EnvVar { Name = variable.Name, ValueFrom = ParameterSource(single) });
                continue;
            }
            foreach (var parameter in variable.Value.ParameterReferences)
            {
                if (declared.Add(parameter.EnvironmentName))
                {
                    env.Add(new V1EnvVar { Name = HelperName(parameter), ValueFrom = ParameterSource(parameter) });
                }
            }
            env.Add(new V1EnvVar { Name = variable.Name, Value = ExpandableText(variable.Value, declared) });
        }
        return env;
    }

    private static V1EnvVarSource ParameterSource(DeployedParameter parameter) => parameter.Secret
        ? new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = KubernetesPublisher.SecretName, Key = parameter.EnvironmentName } }
        : new V1EnvVarSource { ConfigMapKeyRef = new V1ConfigMapKeySelector { Name = KubernetesPublisher.ParametersConfigMapName, Key = parameter.EnvironmentName } };

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

    private static V1ResourceRequirements Resources(DeploymentSettings settings)
    {
        // Without WithResources a service still gets a floor and a ceiling, so one leak cannot starve the node.
        var (requestCpu, requestMemory, limitCpu, limitMemory) = settings.Resources is { } compute
            ? (CpuQuantity(compute.Cpu), compute.Memory, CpuQuantity(compute.Cpu), compute.Memory)
            : ("100m", "256Mi", "1", "1Gi");
        var limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(limitCpu), ["memory"] = new(limitMemory) };
        if (settings.Gpus is { } gpus)
        {
            limits["nvidia.com/gpu"] = new(gpus.ToString(CultureInfo.InvariantCulture));
        }
        return new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(requestCpu), ["memory"] = new(requestMemory) },
            Limits = limits,
        };
    }

    private static string CpuQuantity(double cores)
    {
        var millicores = (int)Math.Round(cores * 1000);
        return millicores % 1000 == 0
            ? (millicores / 1000).ToString(CultureInfo.InvariantCulture)
            : millicores.ToString(CultureInfo.InvariantCulture) + "m";
    }
}
