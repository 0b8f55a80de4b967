using System.Net;
using System.Net.Sockets;

namespace MlStack.Testing;

public static class FreePort
{
    /// <summary>A loopback port the system just handed out and released, for a server the test starts next.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
