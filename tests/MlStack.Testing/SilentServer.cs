using System.Net;
using System.Net.Sockets;

namespace MlStack.Testing;

/// <summary>
/// A server that accepts connections and never answers: what a hung backend looks like to a client (the connection
/// succeeds, the response never comes). Closes every connection when disposed.
/// </summary>
public sealed class SilentServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SilentServer()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Accepted
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count;
            }
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(client);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }
        _stop.Dispose();
    }
}
