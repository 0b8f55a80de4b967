using Microsoft.Extensions.DependencyInjection;
using MlStack.Inference.Repository;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Serving;

/// <summary>A server whose configured models include one that cannot load: it never becomes ready.</summary>
public sealed class ServerWithBrokenModel : InferenceServer
{
    protected override string[] StartupModelNames => [MiniLm, Broken];

    /// <summary>Until every model has been tried (the broken one failed), since /health stays unhealthy by design.</summary>
    protected override async Task WaitUntilReadyAsync()
    {
        var repository = Services.GetRequiredService<ModelRepository>();
        var tried = await Polling.UntilAsync(() => Task.FromResult(repository.StartupComplete),
            done => done, StartTimeout, TimeSpan.FromMilliseconds(50));
        if (!tried) throw new TimeoutException("Models did not finish loading: " + string.Join("; ", repository.Index()));
    }
}
