using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using MlStack.Dashboard.Services.Cost;
using Spectre.Console.Cli;

namespace MlStack.LoadGenerator.Cli;

/// <summary>The options as Spectre.Console.Cli parses them (the target is the command); <see cref="ToOptions"/> checks them and gives a run.</summary>
public sealed class BenchSettings : CommandSettings
{
    [CommandOption("-u|--url <URL>")]
    [Description("The service address (default: the target's development port on localhost)")]
    public string? Url { get; init; }

    [CommandOption("--api-key <KEY>")]
    [Description("Sent as 'Authorization: Bearer <key>' (HTTP) or 'authorization' metadata (gRPC); vectors-query needs it")]
    public string? ApiKey { get; init; }

    [CommandOption("-m|--model <NAME>")]
    [Description("Model name (default: the server's default; grpc-infer needs one)")]
    public string? Model { get; init; }

    [CommandOption("--text <TEXT>")]
    [Description("The prompt, text to embed, or query")]
    public string? Text { get; init; }

    [CommandOption("--max-tokens <N>")]
    [Description("Tokens to generate per request (generation targets)")]
    [DefaultValue("32")]
    public string MaxTokens { get; init; } = "32";

    [CommandOption("--stream")]
    [Description("openai-chat: ask for server-sent events and report time to first token")]
    public bool Stream { get; init; }

    [CommandOption("--collection <NAME>")]
    [Description("vectors-query: the collection to query")]
    public string? Collection { get; init; }

    [CommandOption("-k|--top-k <K>")]
    [Description("vectors-query: results per query")]
    [DefaultValue("5")]
    public string TopK { get; init; } = "5";

    [CommandOption("--route <PATH>")]
    [Description("vertex-*: the predict route (AIP_PREDICT_ROUTE)")]
    [DefaultValue("/predict")]
    public string Route { get; init; } = "/predict";

    [CommandOption("--batch <N>")]
    [Description("Texts per embedding request")]
    [DefaultValue("1")]
    public string Batch { get; init; } = "1";

    [CommandOption("-c|--concurrency <N>")]
    [Description("Closed loop: concurrent workers. Open loop: the most requests in flight")]
    public string? Concurrency { get; init; }

    [CommandOption("-r|--rate <PER_SECOND>")]
    [Description("Open loop: start this many requests per second, whatever the server does")]
    public string? Rate { get; init; }

    [CommandOption("-n|--requests <N>")]
    [Description("Stop after this many measured requests")]
    public string? Requests { get; init; }

    [CommandOption("-d|--duration <TIME>")]
    [Description("Stop after this long, e.g. 30s, 2m (default 10s when --requests is not given)")]
    public string? Duration { get; init; }

    [CommandOption("-w|--warmup <TIME>")]
    [Description("Load sent first and left out of the report")]
    [DefaultValue("2s")]
    public string Warmup { get; init; } = "2s";

    [CommandOption("--timeout <TIME>")]
    [Description("Per-request time limit")]
    [DefaultValue("30s")]
    public string Timeout { get; init; } = "30s";

    [CommandOption("--instance <NAME>")]
    [Description("Price only this instance type (one of the price table's, or any name with --price-per-hour)")]
    public string? Instance { get; init; }

    [CommandOption("--price-per-hour <USD>")]
    [Description("Hourly price to cost the run at (replaces the price table)")]
    public string? PricePerHour { get; init; }

    [CommandOption("--json <FILE>")]
    [Description("Also write the report as JSON (the dashboard's Cost page imports it)")]
    public string? Json { get; init; }

    [CommandOption("--no-progress")]
    [Description("No live progress display")]
    public bool NoProgress { get; init; }

    /// <summary>Checks every argument and combination for the named target; the first problem is thrown as one line.</summary>
    public BenchOptions ToOptions(string targetName)
    {
        RefuseMissingValues();
        var target = TargetKinds.Parse(targetName)
            ?? throw new UsageException($"Unknown target '{targetName}'; use one of: {string.Join(", ", TargetKinds.All.Select(t => t.Name))}.");
        var url = Url ?? target.DefaultUrl();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new UsageException($"--url '{url}' is not an http:// or https:// address.");
        if (Requests is not null && Duration is not null)
            throw new UsageException("Give --requests or --duration, not both.");
        var requests = Requests is null ? (int?)null : Integer("--requests", Requests, 1, int.MaxValue);
        var duration = requests is null ? ParseTime("--duration", Duration ?? "10s", allowZero: false) : (TimeSpan?)null;
        var concurrency = Concurrency is null ? (int?)null : Integer("--concurrency", Concurrency, 1, 10_000);
        var rate = Rate is null ? (double?)null : Real("--rate", Rate, 0.001, 100_000);
        var maxTokens = Integer("--max-tokens", MaxTokens, 1, 100_000);
        var topK = Integer("--top-k", TopK, 1, 100);
        var batch = Integer("--batch", Batch, 1, 1024);
        var pricePerHour = PricePerHour is null ? (decimal?)null : (decimal)Real("--price-per-hour", PricePerHour, 0, 1_000_000);
        if (Stream && target != TargetKind.OpenAiChat)
            throw new UsageException("--stream applies to openai-chat only (the gRPC generation targets always stream).");
        if (target == TargetKind.VectorsQuery && string.IsNullOrWhiteSpace(Collection))
            throw new UsageException("vectors-query needs --collection <name>.");
        if (target == TargetKind.VectorsQuery && string.IsNullOrWhiteSpace(ApiKey))
            throw new UsageException("vectors-query needs --api-key (the vector store's Vectors:ApiKey).");
        if (target == TargetKind.GrpcInfer && string.IsNullOrWhiteSpace(Model))
            throw new UsageException("grpc-infer needs --model <name> (its inputs are read from the model's metadata).");
        if (!Route.StartsWith('/'))
            throw new UsageException($"--route '{Route}' must start with '/'.");

        return new BenchOptions
        {
            Target = target,
            Url = uri,
            ApiKey = string.IsNullOrWhiteSpace(ApiKey) ? null : ApiKey,
            Model = string.IsNullOrWhiteSpace(Model) ? null : Model,
            Text = string.IsNullOrEmpty(Text) ? DefaultText(target) : Text,
            MaxTokens = maxTokens,
            Stream = Stream,
            Collection = Collection,
            TopK = topK,
            VertexRoute = Route,
            Batch = batch,
            Mode = rate is null ? LoadMode.Closed : LoadMode.Open,
            Concurrency = concurrency ?? (rate is null ? 4 : 1000),
            Rate = rate ?? 0,
            Requests = requests,
            Duration = duration,
            Warmup = ParseTime("--warmup", Warmup, allowZero: true),
            RequestTimeout = ParseTime("--timeout", Timeout, allowZero: false),
            Prices = ChoosePrices(Instance, pricePerHour),
            JsonPath = Json,
            Progress = !NoProgress,
        };
    }

    /// <summary>
    /// Spectre.Console.Cli 0.57 gives an option that ends the command line without its value the internal name
    /// "__default_command" instead of failing; refuse it as the missing value it is.
    /// </summary>
    private void RefuseMissingValues()
    {
        foreach (var property in typeof(BenchSettings).GetProperties())
        {
            if (property.GetValue(this) is "__default_command" && property.GetCustomAttribute<CommandOptionAttribute>() is { } option)
                throw new UsageException($"--{option.LongNames[0]} needs a value.");
        }
    }

    public static int Integer(string option, string text, int min, int max) =>
        int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} '{text}' must be a whole number from {min} to {max}.");

    public static double Real(string option, string text, double min, double max) =>
        double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= min && value <= max
            ? value
            : throw new UsageException($"{option} '{text}' must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}.");

    /// <summary>"500ms", "30s", "2m", "1h", or a plain number of seconds.</summary>
    public static TimeSpan ParseTime(string option, string text, bool allowZero)
    {
        var value = text.Trim();
        var (number, unit) = value.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (value[..^2], 0.001)
            : value.EndsWith('s') ? (value[..^1], 1.0)
            : value.EndsWith('m') ? (value[..^1], 60.0)
            : value.EndsWith('h') ? (value[..^1], 3600.0)
            : (value, 1.0);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) || double.IsNaN(amount) || amount < 0
            || (!allowZero && amount == 0) || amount * unit > TimeSpan.FromDays(1).TotalSeconds)
            throw new UsageException($"{option} '{text}' is not a time such as 500ms, 30s, 2m or 1h{(allowZero ? "" : " above zero")}.");
        return TimeSpan.FromSeconds(amount * unit);
    }

    /// <summary>The dashboard's price table, one of its rows, or the user's own price.</summary>
    public static IReadOnlyList<InstancePrice> ChoosePrices(string? instance, decimal? pricePerHour)
    {
        if (pricePerHour is < 0)
            throw new UsageException("--price-per-hour must not be negative.");
        var table = InstancePrice.Defaults();
        if (instance is null)
            return pricePerHour is { } price ? [new InstancePrice { Name = "custom", PricePerHour = price }] : table;
        var known = table.FirstOrDefault(p => p.Name.Equals(instance, StringComparison.OrdinalIgnoreCase))
            ?? table.FirstOrDefault(p => p.Name.StartsWith(instance + " ", StringComparison.OrdinalIgnoreCase));
        if (pricePerHour is { } own)
            return [new InstancePrice { Name = known?.Name ?? instance, PricePerHour = own }];
        return known is not null
            ? [known]
            : throw new UsageException($"Unknown --instance '{instance}'; give --price-per-hour, or use one of: {string.Join(", ", table.Select(p => p.Name))}.");
    }

    private static string DefaultText(TargetKind target) => target switch
    {
        TargetKind.VectorsQuery => "What does the document say about serving models?",
        TargetKind.GrpcEmbed or TargetKind.OpenAiEmbeddings or TargetKind.SageMakerEmbed or TargetKind.VertexEmbed
            => "A load generator measures how a model server behaves under a steady stream of requests.",
        _ => "Once upon a time",
    };
}
