using MlStack.Testing;

namespace MlStack.AppHost.IntegrationTests.Stack;

/// <summary>One whole app, started once, for every test that only looks at it.</summary>
[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<StackFixture>
{
    public const string Name = "Stack";
}
