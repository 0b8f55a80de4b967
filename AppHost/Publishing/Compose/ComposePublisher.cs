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
            [ComposeFileName] = YamlWriter.Write(ComposeDocument(outputDirectory), Header),
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

    private YamlMap ComposeDocument(string outputDirectory)
    {
        var services = new YamlMap();
        var volumes = new YamlMap();
        foreach (var service in model.Services)
        {
            if (service.Volumes.Count > 0)
            {
                services.Add(VolumeOwnerService(service.Name), VolumeOwner(service));
            }
            services.Add(service.Name, Service(service, outputDirectory));
            foreach (var volume in service.Volumes)
            {
                volumes.Add(volume.Name, new YamlMap());
            }
        }
        return new YamlMap().Add("services", services).AddIfPresent("volumes", volumes);
    }

    private YamlMap Service(DeployedService service, string outputDirectory)
    {
        var yaml = new YamlMap();
        if (service.Image.OverrideVariable is { } imageVariable)
        {
            yaml.Add("image", $"${{{imageVariable}:-{service.Image.Reference}}}");
            yaml.Add("build", new YamlMap()
                .Add("context", Path.GetRelativePath(outputDirectory, repositoryRoot).Replace('\\', '/'))
                .Add("dockerfile", service.Image.Dockerfile)
                .AddIfPresent("args", YamlMap.Sorted(service.Image.BuildArgs)));
        }
        else
        {
            yaml.Add("image", service.Image.Reference);
        }
        yaml.Add("user", User(service));
        yaml.Add("restart", "unless-stopped");
        yaml.AddIfPresent("command", service.Args.Count == 0 ? null : service.Args.Select(Interpolate).ToList());

        var environment = new YamlMap();
        foreach (var variable in service.Environment)
        {
            environment.Add(variable.Name, Interpolate(variable.Value));
        }
        yaml.AddIfPresent("environment", environment);

        // Only external endpoints reach the host; everything else stays on the compose network.
        yaml.AddIfPresent("ports", service.Ports.Where(p => p.IsExternal)
            .Select(p => $"${{{HostPortVariable(service, p)}:-{p.Port}}}:{p.Port}").ToList());
        yaml.AddIfPresent("expose", service.Ports.Where(p => !p.IsExternal).Select(p => p.Port.ToString(CultureInfo.InvariantCulture)).ToList());

        yaml.AddIfPresent("volumes", service.Volumes.Select(v => $"{v.Name}:{v.Target}")
            .Concat(service.ConfigFiles.Select(f => $"./{f.FileName}:{f.TargetDirectory.TrimEnd('/')}/{f.FileName}:ro"))
            .ToList());
        // Writable: the volumes and these tmpfs mounts only (the same directories Kubernetes gives emptyDirs).
        yaml.Add("read_only", true);
        yaml.AddIfPresent("tmpfs", service.Settings.ScratchDirectories
            .Select(d => $"{d.Path}:size={d.SizeMi.ToString(CultureInfo.InvariantCulture)}m").ToList());

        if (service.HealthCheck is { } health)
        {
            yaml.Add("healthcheck", new YamlMap()
                .Add("test", HealthProbeCommand.For(service.Settings.Conventions.ProbeTool, health.Port.Port, health.Path)
                    .Select(part => Interpolate(RenderedValue.Literal(part))).ToList())
                .Add("interval", "10s")
                .Add("timeout", "5s")
                .Add("retries", 6)
                .Add("start_period", "60s"));
        }

        var dependsOn = new YamlMap();
        if (service.Volumes.Count > 0)
        {
            dependsOn.Add(VolumeOwnerService(service.Name), new YamlMap().Add("condition", "service_completed_successfully"));
        }
        foreach (var dependency in service.DependsOn)
        {
            dependsOn.Add(dependency.Service, new YamlMap().Add("condition", dependency.WaitType switch
            {
                WaitType.WaitForCompletion => "service_completed_successfully",
                WaitType.WaitUntilStarted => "service_started",
                _ => HasHealthCheck(dependency.Service) ? "service_healthy" : "service_started",
            }));
        }
        yaml.AddIfPresent("depends_on", dependsOn);
        yaml.AddIfPresent("deploy", Deploy(service.Settings));
        yaml.Add("cap_drop", new List<string> { "ALL" });
        yaml.Add("security_opt", new List<string> { "no-new-privileges:true" });
        if (service.EveryReplicaHost is { } everyReplica)
        {
            // The name that resolves to every replica (Prometheus scrapes each); Kubernetes has a headless Service of it.
            yaml.Add("networks", new YamlMap().Add("default", new YamlMap().Add("aliases", new List<string> { everyReplica })));
        }
        return yaml;
    }

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
    private static YamlMap VolumeOwner(DeployedService service) => new YamlMap()
        .Add("image", VolumeOwnerImage)
        .Add("user", "0:0")
        .Add("entrypoint", new List<string> { "chown", "-R", User(service) }.Concat(service.Volumes.Select(v => v.Target)).ToList())
        .Add("restart", "no")
        .Add("network_mode", "none")
        .Add("volumes", service.Volumes.Select(v => $"{v.Name}:{v.Target}").ToList())
        .Add("read_only", true)
        .Add("cap_drop", new List<string> { "ALL" })
        .Add("cap_add", new List<string> { "CHOWN", "DAC_READ_SEARCH" })
        .Add("security_opt", new List<string> { "no-new-privileges:true" });

    private bool HasHealthCheck(string service) => model.Services.Any(s => s.Name == service && s.HealthCheck is not null);

    private static YamlMap? Deploy(DeploymentSettings settings)
    {
        var resources = new YamlMap();
        var reservations = new YamlMap();
        if (settings.Resources is { } compute)
        {
            var cpus = compute.Cpu.ToString("0.###", CultureInfo.InvariantCulture);
            var memory = ComposeMemory(compute.Memory);
            resources.Add("limits", new YamlMap().Add("cpus", cpus).Add("memory", memory));
            reservations.Add("cpus", cpus).Add("memory", memory);
        }
        if (settings.Gpus is { } gpus)
        {
            reservations.Add("devices", new List<YamlMap>
            {
                new YamlMap().Add("driver", "nvidia").Add("count", gpus).Add("capabilities", new List<string> { "gpu" }),
            });
        }
        resources.AddIfPresent("reservations", reservations);

        var deploy = new YamlMap();
        if (settings.Replicas != 1)
        {
            deploy.Add("replicas", settings.Replicas);
        }
        deploy.AddIfPresent("resources", resources);
        return deploy.Count == 0 ? null : deploy;
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
