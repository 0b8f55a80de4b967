using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using MlStack.Inference.Generation.Scheduling;

namespace MlStack.Inference.Generation;

/// <summary>
/// One request's output as it is produced: the steps (new text, whole UTF-8 characters only, and the token), then a
/// last step with the summary. Read it like a channel (<see cref="WaitToReadAsync"/>, then <see cref="TryRead"/>
/// until false: what is ready without waiting, for a door that sends it as one message) or with await foreach.
/// Text is cut before the first stop sequence, which also ends the sequence in its batch. Cancelling the token given
/// to <see cref="TextGenerator.Start"/> or disposing the stream early takes the sequence out of its batch before the
/// next step; the other sequences run on.
/// </summary>
public sealed class GenerationStream : IAsyncEnumerable<GenerationStep>, IDisposable
{
    private readonly GenerationSequence _sequence;
    private readonly GenerationMetrics _metrics;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _onCancel;
    private readonly long _arrival;
    private readonly Utf8StreamDecoder _utf8 = new();
    private readonly StopSequenceMatcher _stops;
    private int _generated;
    private long _firstTokenAt;
    private long _lastTokenAt;
    private string? _finish;
    private bool _done;

    /// <summary>The sequence's channel is empty and gets no more tokens (its WaitToReadAsync answered false).</summary>
    private bool _ended;
    private Exception? _failure;
    private bool _recorded;

    internal GenerationStream(GeneratorModel model, int promptTokens, GenerationSequence sequence, GenerationMetrics metrics, long arrival,
        CancellationToken cancellationToken)
    {
        Model = model;
        PromptTokens = promptTokens;
        _sequence = sequence;
        _metrics = metrics;
        _arrival = arrival;
        _cancellationToken = cancellationToken;
        _stops = new StopSequenceMatcher(sequence.Parameters.StopSequences);
        _onCancel = cancellationToken.Register(sequence.Leave);
    }

    /// <summary>The model version that serves the request (the one asked for, or the one the traffic split chose).</summary>
    public GeneratorModel Model { get; }

    public int PromptTokens { get; }

    public SamplingParameters Parameters => _sequence.Parameters;

    /// <summary>Which of the request's n choices this is (0..n-1).</summary>
    public int Index { get; init; }

    /// <summary>True once the summary has been read.</summary>
    public bool Done => _done;

    /// <summary>
    /// Waits until a step can be read; false once the summary has been read. Throws OperationCanceledException when the
    /// request's token is cancelled, and the sequence's error if generation failed.
    /// </summary>
    public async ValueTask<bool> WaitToReadAsync()
    {
        if (_done)
        {
            return false;
        }
        if (_finish is null && !_ended)
        {
            var ready = _sequence.Tokens.WaitToReadAsync(_cancellationToken); // false: the sequence ended and the summary is ready
            bool more;
            try
            {
                if (ready.IsCompleted)
                {
                    more = ready.Result;
                }
                else
                {
                    more = await ready;
                    if (_generated > 0)
                    {
                        // Resumed inside the scheduler's write (see GenerationSequence). The first token is worth that: it is
                        // sent at once. Later ones are handed to the thread pool, so decoding, the text and the gRPC write of
                        // every stream run beside the batch's next decoder step instead of in front of it.
                        await Task.Yield();
                    }
                }
            }
            catch (Exception error) when (!_cancellationToken.IsCancellationRequested)
            {
                // The sequence failed: TryRead throws its error. A bare ChannelClosedException is a plain end
                // (dotnet/runtime#125705).
                more = false;
                _failure = error is ChannelClosedException { InnerException: null } ? null : error;
            }
            // The channel's own answer, not its Completion task: an unbounded channel's Completion can stay incomplete
            // forever when the reader takes the last token while the writer completes (dotnet/runtime#123544, seen here
            // as a stream spinning after its sequence had ended).
            _ended = !more;
        }
        return true;
    }

    /// <summary>The next step that is ready without waiting.</summary>
    public bool TryRead([NotNullWhen(true)] out GenerationStep? step)
    {
        step = null;
        if (_done)
        {
            return false;
        }
        if (_finish is null && _sequence.Tokens.TryRead(out var token))
        {
            step = Next(token);
            return true;
        }
        if (_finish is null && !_ended && !_sequence.Tokens.Completion.IsCompleted)
        {
            return false;
        }
        if ((_failure ?? _sequence.Tokens.Completion.Exception?.InnerException) is { } error)
        {
            throw error;
        }
        step = Summary();
        return true;
    }

    private GenerationStep Next(SequenceToken token)
    {
        _generated++;
        if (_generated == 1)
        {
            _firstTokenAt = token.Timestamp;
            _metrics.FirstToken(Model.Tags, Stopwatch.GetElapsedTime(_arrival, token.Timestamp));
        }
        else
        {
            _metrics.NextToken(Model.Tags, Stopwatch.GetElapsedTime(_lastTokenAt, token.Timestamp));
        }
        _lastTokenAt = token.Timestamp;
        if (token.EndOfSequence)
        {
            _finish = FinishReasons.Stop;
            return new GenerationStep(string.Empty, token.Id);
        }
        var text = Model.Tokenizer.IsSpecial(token.Id) ? string.Empty : _utf8.Append(Model.Tokenizer.TokenBytes(token.Id));
        var emit = _stops.Append(text);
        if (_stops.Matched is not null)
        {
            _finish = FinishReasons.Stop;
            _sequence.Leave(); // done: its place in the batch goes at the next step
        }
        return new GenerationStep(emit, token.Id, Logprobs: token.Logprobs);
    }

    private GenerationStep Summary()
    {
        _done = true;
        var rest = _stops.Matched is null ? _stops.Append(_utf8.Flush()) + _stops.Flush() : string.Empty;
        var finish = _stops.Matched is not null ? FinishReasons.Stop : _finish ?? _sequence.FinishReason ?? FinishReasons.Cancelled;
        var end = Stopwatch.GetTimestamp();
        var decodeSeconds = _generated > 1 ? Stopwatch.GetElapsedTime(_firstTokenAt, _lastTokenAt).TotalSeconds : 0;
        Record(finish);
        return new GenerationStep(rest, null, new GenerationResult(
            finish,
            PromptTokens,
            _generated,
            _generated > 0 ? Stopwatch.GetElapsedTime(_arrival, _firstTokenAt) : TimeSpan.Zero,
            decodeSeconds > 0 ? (_generated - 1) / decodeSeconds : 0,
            Stopwatch.GetElapsedTime(_arrival, end),
            _stops.Matched,
            Parameters.Seed,
            _sequence.CachedTokens));
    }

    private void Record(string finish)
    {
        if (_recorded)
        {
            return;
        }
        _recorded = true;
        _metrics.Finished(Model.Tags, finish, Stopwatch.GetElapsedTime(_arrival), _generated);
    }

    public async IAsyncEnumerator<GenerationStep> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        try
        {
            while (await WaitToReadAsync())
            {
                while (TryRead(out var step))
                {
                    yield return step;
                }
            }
        }
        finally
        {
            Dispose();
        }
    }

    /// <summary>Ends the request: a sequence still running leaves its batch, and an unfinished request counts as cancelled.</summary>
    public void Dispose()
    {
        _onCancel.Dispose();
        if (!_done)
        {
            _sequence.Leave();
            Record(FinishReasons.Cancelled);
        }
    }
}
