using System.Net;
using System.Net.Sockets;

namespace MlStack.Dashboard.UnitTests;

public static class ClosedPort
{
    /// <summary>A port nothing listens on: bound once to learn a free number, then released.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
