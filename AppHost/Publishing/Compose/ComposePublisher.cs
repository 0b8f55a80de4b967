using System.Globalization;
using System.Text;
using MlStack.AppHost.Publishing.Annotations;
using MlStack.AppHost.Publishing.Yaml;

namespace MlStack.AppHost.Publishing.Compose;

/// <summary>
/// Writes docker-compose.yaml, .env.example and every generated config file. The file stays within what both the
/// Compose Specification and docker-compose 1.29 accept (no top-level name, no healthcheck start_interval). Every
/// service runs as its image's non-root user on a read-only root file system, with tmpfs for its scratch
/// directories, no capabilities and no privilege escalation.
/// </summary>
public sealed class ComposePublisher(DeploymentModel model, string repositoryRoot)
{
    public const string ComposeFileName = "docker-compose.yaml";
    public const string EnvExampleFileName = ".env.example";
    public const string Header = GeneratedFileHeader.Text;

    /// <summary>Runs the one-shot chown of each service's volumes: tiny, has chown, pinned.</summary>
    public const string VolumeOwnerImage = "busybox:1.37.0";

    /// <summary>The one-shot service that hands a service's volumes to its user, e.g. "chroma-volume-owner".</summary>
    public static string VolumeOwnerService(string service) => service + "-volume-owner";

    public IReadOnlyDictionary<string, string> Render(string outputDirectory)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            [ComposeFileName] = PublishedYaml.Write(ComposeDocument(outputDirectory), Header),
            [EnvExampleFileName] = EnvExample(),
        };
        foreach (var file in model.Services.SelectMany(s => s.ConfigFiles))
        {
            if (!files.TryAdd(file.FileName, file.Content))
            {
                throw new InvalidOperationException($"Config file '{file.FileName}' would overwrite the compose output's own file of that name; rename it.");
            }
        }
        return files;
    }

    private ComposeFile ComposeDocument(string outputDirectory)
    {
        var compose = new ComposeFile();
        foreach (var service in model.Services)
        {
            if (service.Volumes.Count > 0)
            {
                compose.Services.Add(VolumeOwnerService(service.Name), VolumeOwner(service));
            }
            compose.Services.Add(service.Name, Service(service, outputDirectory));
        }
        var volumes = model.Services.SelectMany(s => s.Volumes).Select(v => KeyValuePair.Create(v.Name, new ComposeVolume())).ToList();
        compose.Volumes = volumes.Count == 0 ? null : new(volumes, StringComparer.Ordinal);
        return compose;
    }

    private ComposeService Service(DeployedService service, string outputDirectory)
    {
        var compose = new ComposeService { Image = service.Image.Reference };
        if (service.Image.OverrideVariable is { } imageVariable)
        {
            compose.Image = $"${{{imageVariable}:-{service.Image.Reference}}}";
            compose.Build = new ComposeBuild
            {
                Context = Path.GetRelativePath(outputDirectory, repositoryRoot).Replace('\\', '/'),
                Dockerfile = service.Image.Dockerfile,
                Args = service.Image.BuildArgs.Count == 0 ? null : new(service.Image.BuildArgs.ToDictionary(), StringComparer.Ordinal),
            };
        }
        compose.User = User(service);
        compose.Restart = "unless-stopped";
        compose.Command = NonEmpty(service.Args.Select(Interpolate));
        compose.Environment = service.Environment.Count == 0 ? null
            : new(service.Environment.Select(v => KeyValuePair.Create(v.Name, Interpolate(v.Value))), StringComparer.Ordinal);

        // Only external endpoints reach the host; everything else stays on the compose network.
        compose.Ports = NonEmpty(service.Ports.Where(p => p.IsExternal).Select(p => $"${{{HostPortVariable(service, p)}:-{p.Port}}}:{p.Port}"));
        compose.Expose = NonEmpty(service.Ports.Where(p => !p.IsExternal).Select(p => p.Port.ToString(CultureInfo.InvariantCulture)));
        compose.Volumes = NonEmpty(service.Volumes.Select(v => $"{v.Name}:{v.Target}")
            .Concat(service.ConfigFiles.Select(f => $"./{f.FileName}:{f.TargetDirectory.TrimEnd('/')}/{f.FileName}:ro")));
        // Writable: the volumes and these tmpfs mounts only (the same directories Kubernetes gives emptyDirs).
        compose.ReadOnly = true;
        compose.Tmpfs = NonEmpty(service.Settings.ScratchDirectories.Select(d => $"{d.Path}:size={d.SizeMi.ToString(CultureInfo.InvariantCulture)}m"));

        if (service.HealthCheck is { } health)
        {
            compose.HealthCheck = new ComposeHealthCheck
            {
                Test = [.. HealthProbeCommand.For(service.Settings.Conventions.ProbeTool, health.Port.Port, health.Path)
                    .Select(part => Interpolate(RenderedValue.Literal(part)))],
                Interval = "10s",
                Timeout = "5s",
                Retries = 6,
                StartPeriod = "60s",
            };
        }

        var dependsOn = new OrderedDictionary<string, ComposeDependency>(StringComparer.Ordinal);
        if (service.Volumes.Count > 0)
        {
            dependsOn.Add(VolumeOwnerService(service.Name), new ComposeDependency("service_completed_successfully"));
        }
        foreach (var dependency in service.DependsOn)
        {
            dependsOn.Add(dependency.Service, new ComposeDependency(dependency.WaitType switch
            {
                WaitType.WaitForCompletion => "service_completed_successfully",
                WaitType.WaitUntilStarted => "service_started",
                _ => HasHealthCheck(dependency.Service) ? "service_healthy" : "service_started",
            }));
        }
        compose.DependsOn = dependsOn.Count == 0 ? null : dependsOn;
        compose.Deploy = Deploy(service.Settings);
        compose.CapDrop = ["ALL"];
        compose.SecurityOpt = ["no-new-privileges:true"];
        if (service.EveryReplicaHost is { } everyReplica)
        {
            // The name that resolves to every replica (Prometheus scrapes each); Kubernetes has a headless Service of it.
            compose.Networks = new() { ["default"] = new ComposeNetworkAttachment { Aliases = [everyReplica] } };
        }
        return compose;
    }

    private static List<string>? NonEmpty(IEnumerable<string> items) => items.ToList() is { Count: > 0 } list ? list : null;

    private static string User(DeployedService service)
    {
        var user = service.Settings.Conventions.RunAsUser.ToString(CultureInfo.InvariantCulture);
        return $"{user}:{user}";
    }

    /// <summary>
    /// Compose has no fsGroup: a new named volume belongs to root unless the image owns the directory, so this runs
    /// once before the service and gives its volumes to the service's user, with CHOWN (and reading any directory)
    /// as its only capabilities and no network.
    /// </summary>
    private static ComposeService VolumeOwner(DeployedService service) => new()
    {
        Image = VolumeOwnerImage,
        User = "0:0",
        Entrypoint = ["chown", "-R", User(service), .. service.Volumes.Select(v => v.Target)],
        Restart = "no",
        NetworkMode = "none",
        Volumes = [.. service.Volumes.Select(v => $"{v.Name}:{v.Target}")],
        ReadOnly = true,
        CapDrop = ["ALL"],
        CapAdd = ["CHOWN", "DAC_READ_SEARCH"],
        SecurityOpt = ["no-new-privileges:true"],
    };

    private bool HasHealthCheck(string service) => model.Services.Any(s => s.Name == service && s.HealthCheck is not null);

    private static ComposeDeploy? Deploy(DeploymentSettings settings)
    {
        var limits = new ComposeResourceAmounts();
        var reservations = new ComposeResourceAmounts();
        if (settings.Resources is { } compute)
        {
            limits.Cpus = reservations.Cpus = compute.Cpu.ToString("0.###", CultureInfo.InvariantCulture);
            limits.Memory = reservations.Memory = ComposeMemory(compute.Memory);
        }
        if (settings.Gpus is { } gpus)
        {
            reservations.Devices = [new ComposeDevice { Driver = "nvidia", Count = gpus, Capabilities = ["gpu"] }];
        }
        var resources = new ComposeResources
        {
            Limits = limits.Cpus is null ? null : limits,
            Reservations = reservations.Cpus is null && reservations.Devices is null ? null : reservations,
        };
        var deploy = new ComposeDeploy
        {
            Replicas = settings.Replicas != 1 ? settings.Replicas : null,
            Resources = resources.Limits is null && resources.Reservations is null ? null : resources,
        };
        return deploy.Replicas is null && deploy.Resources is null ? null : deploy;
    }

    /// <summary>Kubernetes "4Gi" is compose "4096M" (compose sizes are binary multiples too).</summary>
    private static string ComposeMemory(string quantity)
    {
        var number = int.Parse(quantity[..^2], CultureInfo.InvariantCulture);
        return (quantity.EndsWith("Gi", StringComparison.Ordinal) ? number * 1024 : number).ToString(CultureInfo.InvariantCulture) + "M";
    }

    private static string HostPortVariable(DeployedService service, DeployedPort port) =>
        DeploymentModelReader.EnvironmentName($"{service.Name}_{port.Name}_port");

    /// <summary>Literal text with '$' escaped; parameters become required ${VAR} references filled from .env.</summary>
    private static string Interpolate(RenderedValue value)
    {
        var text = new StringBuilder();
        foreach (var part in value.Parts)
        {
            text.Append(part switch
            {
                string literal => literal.Replace("$", "$$"),
                DeployedParameter p => $"${{{p.EnvironmentName}:?set {p.EnvironmentName} in .env (see .env.example)}}",
                _ => throw new InvalidOperationException(),
            });
        }
        return text.ToString();
    }

    private string EnvExample()
    {
        var text = new StringBuilder()
            .AppendLine("# Parameters of the MlStack app model. Copy to .env, fill in each value, keep .env out of source control.")
            .AppendLine("# docker compose --env-file .env up");
        foreach (var parameter in model.Parameters)
        {
            text.AppendLine()
                .AppendLine($"# {parameter.Name}{(parameter.Secret ? " (secret)" : "")}")
                .AppendLine($"{parameter.EnvironmentName}=");
        }
        text.AppendLine().AppendLine("# Optional overrides (defaults in docker-compose.yaml):");
        foreach (var service in model.Services)
        {
            if (service.Image.OverrideVariable is { } image)
            {
                text.AppendLine($"# {image}={service.Image.Reference}");
            }
            foreach (var port in service.Ports.Where(p => p.IsExternal))
            {
                text.AppendLine($"# {HostPortVariable(service, port)}={port.Port}");
            }
        }
        return text.ToString();
    }
}
