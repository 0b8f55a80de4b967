using System.Threading.Channels;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.Constraints;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.Generation.PrefixCaching;

namespace MlStack.Inference.Generation.Scheduling;

/// <summary>
/// One request's sequence in its model's <see cref="GenerationScheduler"/>: the prompt, its own sampler and limits,
/// and the tokens the scheduler produces for it, in order, with the time each was produced. The reader stops it
/// with <see cref="Leave"/> (cancelled, or a stop sequence matched); it then leaves the batch before the next step.
/// </summary>
public sealed class GenerationSequence
{
    // Synchronous continuations: a reader waiting for a token resumes on the scheduler's thread inside the write,
    // not after a wake-up of a thread-pool thread (the hop that made time to first token through gRPC several ms
    // longer on a busy machine). The reader runs there until its next await that does not complete at once (for
    // gRPC: until the message is handed to Kestrel), so a reader must not block or do long work before awaiting.
    // GenerationStream takes that path for the first token only and yields to the thread pool after later ones.
    private readonly Channel<SequenceToken> _tokens = Channel.CreateUnbounded<SequenceToken>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
    private readonly Action _wake;
    private volatile bool _leaving;
    private RunOptions? _prefillRun;

    internal GenerationSequence(IReadOnlyList<int> prompt, SamplingParameters parameters, int vocabularySize, long arrival, Action wake,
        string? cacheSalt = null, TokenMasks? constraint = null)
    {
        Constraint = constraint is null ? null : new ConstrainedOutput(constraint);
        Prompt = prompt;
        CacheSalt = cacheSalt;
        PromptIds = [.. prompt.Select(id => (long)id)];
        Parameters = parameters;
        Arrival = arrival;
        Sampler = new TokenSampler(parameters, vocabularySize, prompt);
        _wake = wake;
    }

    public IReadOnlyList<int> Prompt { get; }

    public SamplingParameters Parameters { get; }

    /// <summary>The caller's prefix-cache salt: only prompts with the same salt share cached blocks (null: unsalted).</summary>
    public string? CacheSalt { get; }

    /// <summary>Prompt tokens whose KV came from the prefix cache; set before the first token is handed out.</summary>
    public int CachedTokens { get; internal set; }

    /// <summary>When it was submitted (Stopwatch timestamp).</summary>
    public long Arrival { get; }

    /// <summary>The generated tokens; completed when the sequence ends (with the error, if one ended it).</summary>
    public ChannelReader<SequenceToken> Tokens => _tokens.Reader;

    /// <summary>Why it ended (<see cref="FinishReasons"/>); set before <see cref="Tokens"/> completes.</summary>
    public string? FinishReason { get; private set; }

    /// <summary>Asks the scheduler to drop it before the next step (its prefill, if running, is aborted).</summary>
    public void Leave()
    {
        if (_leaving || FinishReason is not null)
        {
            return;
        }
        _leaving = true;
        lock (this)
        {
            if (_prefillRun is { } run)
            {
                run.Terminate = true;
            }
        }
        _wake();
    }

    internal bool Leaving => _leaving;

    internal long[] PromptIds { get; }

    internal TokenSampler Sampler { get; }

    /// <summary>Its own grammar state when its output is constrained (response_format, a required tool call).</summary>
    internal ConstrainedOutput? Constraint { get; }

    /// <summary>Samples the next token from the row's logits, only among the tokens its constraint allows (if any).</summary>
    internal int NextToken(ReadOnlySpan<float> logits, out TokenLogprobs? logprobs) =>
        Sampler.Next(logits, Constraint?.Next(Parameters.MaxNewTokens - Generated - 1), out logprobs);

    /// <summary>
    /// The other choices of an n &gt; 1 request, on the first (the leader) only: they wait, are admitted and prefilled
    /// with it, and take a copy of its KV cache when its prompt is done (one prefill for n choices).
    /// </summary>
    internal List<GenerationSequence> Followers { get; } = [];

    /// <summary>The leader and its followers.</summary>
    internal IEnumerable<GenerationSequence> Family => [this, .. Followers];

    /// <summary>Prompt positions already in <see cref="Cache"/>.</summary>
    internal int Prefilled { get; set; }

    internal int Generated { get; private set; }

    internal long LastToken { get; private set; }

    /// <summary>Its own cache while its prompt is prefilled, until it joins a batch.</summary>
    internal KvCache? Cache { get; set; }

    /// <summary>The prefix-cache blocks it holds while it runs (null: prefix caching off, or not prefilled yet).</summary>
    internal PrefixMatch? Prefix { get; set; }

    /// <summary>KV positions it may need: prompt plus max_new_tokens.</summary>
    internal int Reservation => Prompt.Count + Parameters.MaxNewTokens;

    /// <summary>Positions its cache is ever written: the last token it produces is never fed back.</summary>
    internal int Capacity => Math.Max(Prompt.Count, Reservation - 1);

    /// <summary>Run options of its own prefill runs, which <see cref="Leave"/> aborts.</summary>
    internal RunOptions PrefillRun
    {
        get
        {
            lock (this)
            {
                _prefillRun ??= new RunOptions { Terminate = _leaving };
                return _prefillRun;
            }
        }
    }

    /// <summary>
    /// Hands a produced token to the reader; true when it ends the sequence (end-of-sequence, max_new_tokens, or a
    /// constrained output that is complete: nothing may follow it, so no step is spent on the end-of-sequence token).
    /// </summary>
    internal bool Deliver(int token, TokenLogprobs? logprobs, long timestamp, IReadOnlySet<int> endOfSequence)
    {
        Generated++;
        LastToken = token;
        // A constrained output allows end-of-sequence only where it is complete, so it ends there even with ignore_eos.
        var eos = (!Parameters.IgnoreEos || Constraint is not null) && endOfSequence.Contains(token);
        _tokens.Writer.TryWrite(new SequenceToken(token, timestamp, eos, logprobs));
        Constraint?.Accept(token);
        if (eos || Constraint is { IsDone: true })
        {
            Finish(FinishReasons.Stop);
            return true;
        }
        if (Generated >= Parameters.MaxNewTokens)
        {
            Finish(FinishReasons.Length);
            return true;
        }
        return false;
    }

    internal void Finish(string reason)
    {
        FinishReason ??= reason;
        Release();
        _tokens.Writer.TryComplete();
    }

    internal void Fail(Exception error)
    {
        FinishReason ??= FinishReasons.Cancelled;
        Release();
        _tokens.Writer.TryComplete(error);
    }

    private void Release()
    {
        Cache?.Dispose();
        Cache = null;
        Prefix?.Release();
        lock (this)
        {
            _prefillRun?.Dispose();
            _prefillRun = null;
        }
    }
}

/// <summary>
/// A generated token, when it was produced (Stopwatch timestamp), whether it is the end-of-sequence token, and its
/// logprobs when the request asked for them.
/// </summary>
public readonly record struct SequenceToken(int Id, long Timestamp, bool EndOfSequence, TokenLogprobs? Logprobs = null);
