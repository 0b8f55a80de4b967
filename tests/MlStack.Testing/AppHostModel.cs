using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MlStack.Testing;

/// <summary>The real AppHost's model, built with the given settings and inspected without starting anything.</summary>
public static class AppHostModel
{
    public static async Task<DistributedApplicationModel> BuildAsync(params string[] args)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(args, timeout.Token);
        var app = await builder.BuildAsync(timeout.Token);
        var model = app.Services.GetRequiredService<DistributedApplicationModel>();
        // Disposing an app that never started sometimes waits 30 s for the AppHost's entry point to notice; nothing
        // runs, so the test does not wait for that longer than a moment.
        await Task.WhenAny(app.DisposeAsync().AsTask(), Task.Delay(TimeSpan.FromSeconds(2)));
        return model;
    }
}
