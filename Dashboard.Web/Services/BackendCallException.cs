namespace MlStack.Dashboard.Services;

/// <summary>
/// A backend call that failed, as the dashboard's typed clients report it: a sentence for the page, never a transport
/// type. <see cref="Refused"/> tells a request the backend turned down (a bad name, one that exists already, one that is
/// gone: the person can fix it) from a backend that cannot serve right now.
/// </summary>
public sealed class BackendCallException(string message, bool refused, Exception? inner = null) : Exception(message, inner)
{
    public bool Refused { get; } = refused;
}
