using MlStack.Testing;

namespace MlStack.AppHost.UnitTests.Publishing;

/// <summary>The real app model published once, in process, for every output test.</summary>
[CollectionDefinition(Name)]
public sealed class PublishedStackCollection : ICollectionFixture<PublishedStack>
{
    public const string Name = "published stack";
}
