namespace MlStack.LoadGenerator.Targets;

/// <summary>A gRPC door: owns its connection.</summary>
public abstract class GrpcTarget(GrpcConnection connection) : ILoadTarget
{
    protected GrpcConnection Connection { get; } = connection;

    public abstract string Description { get; }

    public abstract string TokenKind { get; }

    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public abstract Task<RequestOutcome> SendAsync(CancellationToken cancellationToken);

    public ValueTask DisposeAsync()
    {
        Connection.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
