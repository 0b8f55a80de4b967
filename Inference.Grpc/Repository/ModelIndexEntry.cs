namespace MlStack.Inference.Repository;

/// <summary>One row of RepositoryIndex: a model, or one loaded version of it, with its state and why.</summary>
public sealed record ModelIndexEntry(string Name, string Version, string State, string Reason);
