using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MlStack.Testing;

/// <summary>
/// The whole MlStack app started through Aspire.Hosting.Testing in processes mode, with its own state folder so
/// Chroma and Prometheus data never touch the developer's .mlstack/state, and so leftovers can be found by path.
/// </summary>
public sealed class StackApp : IAsyncDisposable
{
    public static readonly string[] ResourceNames = ["chroma", "prometheus", "inference", "vectors", "dashboard"];
    public static readonly string[] ServiceJobs = ["inference", "vectors", "dashboard"];
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private DistributedApplication? app;

    private readonly string[] settings;

    private StackApp(string stateDirectory, string[] settings)
    {
        StateDirectory = stateDirectory;
        this.settings = settings;
    }

    /// <summary>Chroma's and Prometheus' data, and the marker that finds their processes in /proc.</summary>
    public string StateDirectory { get; }

    public DistributedApplication App => app ?? throw new InvalidOperationException("The app is not started.");

    /// <summary>From StartAsync to the last resource reporting healthy.</summary>
    public TimeSpan ColdStart { get; private set; }

    /// <summary>When StartAsync returned (DCP up, resources launched); resources report health after that.</summary>
    public TimeSpan StartReturnedAfter { get; private set; }

    /// <summary>When each resource first reported healthy, counted from StartAsync.</summary>
    public IReadOnlyDictionary<string, TimeSpan> HealthyAfter { get; private set; } = new Dictionary<string, TimeSpan>();

    /// <summary>Process ids of the Chroma and Prometheus executables, as DCP reported them.</summary>
    public IReadOnlyDictionary<string, int> ProcessIds { get; private set; } = new Dictionary<string, int>();

    /// <summary>
    /// Starts the stack with a new state folder, or with an existing one to test a restart. Settings are AppHost
    /// configuration ("Name=value", e.g. "Parameters:vectors-api-key=...").
    /// </summary>
    public static async Task<StackApp> StartAsync(string? stateDirectory = null, params string[] settings)
    {
        stateDirectory ??= NewStateDirectory();
        Directory.CreateDirectory(stateDirectory);

        var stack = new StackApp(stateDirectory, settings);
        try
        {
            await stack.StartCoreAsync();
            return stack;
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    private static string NewStateDirectory()
    {
        // ./mlstack test points this at its results folder, so it can clean up after a crashed test host.
        var root = Environment.GetEnvironmentVariable("MLSTACK_TEST_STATE_ROOT") is { Length: > 0 } configured
            ? configured
            : Path.GetTempPath();
        return Path.Combine(root, $"mlstack-it-{Guid.NewGuid():N}");
    }

    private async Task StartCoreAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["MlStack:Runtime=processes", $"MlStack:StateDirectory={StateDirectory}", .. settings], timeout.Token);
        // Quiet by default: the AppHost's own settings ask for Information, and health checks fail by design until
        // each resource is up. A start that times out names each resource's state instead.
        builder.Configuration["Logging:LogLevel:Default"] = "Warning";
        builder.Configuration["Logging:LogLevel:Aspire.Hosting.Dcp"] = "Error";
        builder.Configuration["Logging:LogLevel:Microsoft.Extensions.Diagnostics.HealthChecks"] = "Critical";

        app = await builder.BuildAsync(timeout.Token);

        var stopwatch = Stopwatch.StartNew();
        await app.StartAsync(timeout.Token);
        StartReturnedAfter = stopwatch.Elapsed;
        var healthyAfter = new Dictionary<string, TimeSpan>();
        try
        {
            await Task.WhenAll(ResourceNames.Select(async name =>
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
                lock (healthyAfter)
                {
                    healthyAfter[name] = stopwatch.Elapsed;
                }
            }));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Not every resource was healthy within {StartTimeout.TotalSeconds:F0} s: {DescribeStates()}");
        }
        ColdStart = stopwatch.Elapsed;
        HealthyAfter = healthyAfter;
        ProcessIds = ReadProcessIds("chroma", "prometheus");
    }

    public Uri Endpoint(string resource, string endpoint = "http") => App.GetEndpoint(resource, endpoint);

    /// <summary>The value the app model gave a parameter (a generated secret such as "vectors-api-key" included).</summary>
    public async Task<string> ParameterAsync(string name)
    {
        var parameter = App.Services.GetRequiredService<DistributedApplicationModel>().Resources.OfType<ParameterResource>()
            .SingleOrDefault(p => p.Name == name) ?? throw new ArgumentException($"The app model has no parameter '{name}'.", nameof(name));
        return await parameter.GetValueAsync(CancellationToken.None)
            ?? throw new InvalidOperationException($"Parameter '{name}' has no value.");
    }

    public string DescribeStates()
    {
        if (app is null)
        {
            return "(not built)";
        }
        var notifications = app.Services.GetRequiredService<ResourceNotificationService>();
        return string.Join("; ", ResourceNames.Select(name =>
            notifications.TryGetCurrentState(name, out var state)
                ? $"{name}={state.Snapshot.State?.Text ?? "?"}/{state.Snapshot.HealthStatus?.ToString() ?? "no health"}"
                : $"{name}=unknown"));
    }

    private Dictionary<string, int> ReadProcessIds(params string[] names)
    {
        var notifications = App.Services.GetRequiredService<ResourceNotificationService>();
        var ids = new Dictionary<string, int>();
        foreach (var name in names)
        {
            if (notifications.TryGetCurrentState(name, out var state)
                && state.Snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } pid
                && int.TryParse(pid.ToString(), out var id))
            {
                ids[name] = id;
            }
        }
        return ids;
    }

    /// <summary>Stops every resource and waits for DCP to shut down; idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            var stopping = app;
            app = null;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            try
            {
                await stopping.StopAsync(timeout.Token);
            }
            finally
            {
                await stopping.DisposeAsync();
            }
        }
    }

    /// <summary>Deletes the state folder once no process uses it any more.</summary>
    public void DeleteState()
    {
        try
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
