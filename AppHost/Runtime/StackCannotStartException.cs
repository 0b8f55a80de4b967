namespace MlStack.AppHost.Runtime;

/// <summary>
/// The stack cannot start as it is set up; the message says what to change or install. The AppHost prints it as
/// one line, "MlStack cannot start: ...", and exits with code 1.
/// </summary>
public class StackCannotStartException(string message, Exception? innerException = null) : InvalidOperationException(message, innerException);
