namespace MlStack.LoadGenerator.Targets;

/// <summary>One door of the stack: sends one request and says how it went. Safe to call from many workers at once.</summary>
public interface ILoadTarget : IAsyncDisposable
{
    /// <summary>What the report calls it, e.g. "grpc-generate http://localhost:5181".</summary>
    string Description { get; }

    /// <summary>What the token counts mean: "generated", "input" (embeddings) or "none" (the door reports none).</summary>
    string TokenKind { get; }

    /// <summary>Prepares what every request reuses (e.g. a model's metadata); fails as <see cref="Cli.UsageException"/>.</summary>
    Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Sends one request; throws for a failure, which <see cref="Failures"/> turns into a status.</summary>
    Task<RequestOutcome> SendAsync(CancellationToken cancellationToken);
}
