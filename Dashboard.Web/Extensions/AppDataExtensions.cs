using Microsoft.AspNetCore.DataProtection;
using MlStack.Dashboard.Services.AppData;
using MlStack.Dashboard.Services.Compare;

namespace Microsoft.Extensions.Hosting;

public static class AppDataExtensions
{
    /// <summary>
    /// The data folder and what lives in it: the comparison tally, and the Data Protection keys, so sign-in cookies
    /// and stored endpoint keys stay readable after a restart.
    /// </summary>
    public static WebApplicationBuilder AddAppData(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<AppDataOptions>(AppDataOptions.SectionName);
        var options = builder.Configuration.GetSection(AppDataOptions.SectionName).Get<AppDataOptions>() ?? new AppDataOptions();
        var keys = Path.Combine(options.ResolvePath(builder.Environment.ContentRootPath), "keys");
        builder.Services.AddDataProtection()
            .SetApplicationName("mlstack-dashboard")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));

        builder.Services.AddSingleton<AppDataFolder>();
        builder.Services.AddSingleton<ComparisonTally>();
        return builder;
    }

    /// <summary>GET /compare/tally.csv: the tally as CSV (behind sign-in like every page).</summary>
    public static IEndpointConventionBuilder MapComparisonExport(this WebApplication app) =>
        app.MapGet("/compare/tally.csv", async (ComparisonTally tally, CancellationToken cancellationToken) =>
            Results.File(System.Text.Encoding.UTF8.GetBytes(ComparisonTally.ToCsv(await tally.PairsAsync(cancellationToken))),
                "text/csv; charset=utf-8", "mlstack-comparisons.csv"));
}
