namespace MlStack.Testing;

/// <summary>The repository's shipped generator models as theory data, for tests that must hold for each of them.</summary>
public static class ShippedGenerators
{
    public static TheoryData<string> Names => [.. RepositoryPaths.ShippedGeneratorModels];
}
