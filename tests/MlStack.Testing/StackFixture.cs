namespace MlStack.Testing;

/// <summary>Starts the whole app once for every test of a collection (each test assembly defines its own), and stops it after.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    private StackApp? stack;

    public StackApp Stack => stack ?? throw new InvalidOperationException("The stack did not start.");

    public async Task InitializeAsync() => stack = await StackApp.StartAsync();

    public async Task DisposeAsync()
    {
        if (stack is not null)
        {
            await stack.DisposeAsync();
            await LocalProcesses.WaitUntilNoneMentionAsync(stack.StateDirectory, TimeSpan.FromSeconds(30));
            stack.DeleteState();
        }
    }
}
