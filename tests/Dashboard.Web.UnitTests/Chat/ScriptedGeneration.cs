using System.Threading.Channels;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Dashboard.UnitTests.Chat;

/// <summary>
/// The wire under the generated TextGeneration client: Chat streams whatever the test writes, when it writes it, and
/// sees the caller's cancellation as the real channel would. Lets a test hold the stream between two messages. A call
/// ends after the message with the summary, as the service's do, so the next call (a function invoker's second round)
/// reads what the test wrote after it.
/// </summary>
public sealed class ScriptedGeneration : CallInvoker
{
    private readonly Channel<GenerateResponse> _responses = Channel.CreateUnbounded<GenerateResponse>();

    public ChatRequest? Request { get; private set; }

    /// <summary>Every Chat request, in order.</summary>
    public List<ChatRequest> Requests { get; } = [];

    public CancellationToken CallCancellation { get; private set; }

    public ListModelsResponse Models { get; } = new()
    {
        Models = { new GeneratorModelInfo { Name = "tiny-gpt", Version = "1", ContextLength = 1024, Description = "demo" } },
    };

    /// <summary>Set to answer ListModels with this status, as a service that is down would.</summary>
    public StatusCode? ListModelsFails { get; set; }

    public TextGeneration.TextGenerationClient Client => new(this);

    public ValueTask SendAsync(string text) => _responses.Writer.WriteAsync(new GenerateResponse { Text = text });

    public ValueTask FinishAsync(GenerationSummary summary) =>
        _responses.Writer.WriteAsync(new GenerateResponse { Summary = summary });

    public ValueTask SendAsync(GenerateResponse response) => _responses.Writer.WriteAsync(response);

    public void End() => _responses.Writer.TryComplete();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        Request = (ChatRequest)(object)request;
        Requests.Add(Request);
        CallCancellation = options.CancellationToken;
        var reader = new Reader<TResponse>(_responses.Reader, options.CancellationToken);
        return new AsyncServerStreamingCall<TResponse>(reader, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        ListModelsFails is { } code
            ? new(Task.FromException<TResponse>(new RpcException(new Status(code, "connection refused"))), Task.FromResult(new Metadata()),
                () => new Status(code, "connection refused"), () => [], () => { })
            : new(Task.FromResult((TResponse)(object)Models), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
        throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
        throw new NotSupportedException();

    private sealed class Reader<T>(ChannelReader<GenerateResponse> responses, CancellationToken callCancellation) : IAsyncStreamReader<T>
    {
        private bool _summarized;

        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callCancellation);
            if (_summarized || !await responses.WaitToReadAsync(both.Token))
            {
                return false;
            }
            var response = await responses.ReadAsync(both.Token);
            _summarized = response.Summary is not null;
            Current = (T)(object)response;
            return true;
        }
    }
}
