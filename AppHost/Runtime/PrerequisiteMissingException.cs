namespace MlStack.AppHost.Runtime;

/// <summary>Something the chosen runtime needs is not installed; the message says what to install.</summary>
public sealed class PrerequisiteMissingException(string message) : StackCannotStartException(message);
