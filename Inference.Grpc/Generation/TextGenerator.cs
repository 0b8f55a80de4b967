using System.Diagnostics;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation.ChatTemplates;
using MlStack.Inference.Generation.Decoding;
using MlStack.Inference.V1;

namespace MlStack.Inference.Generation;

/// <summary>
/// Streamed generation on a decoder model: prefill the prompt, then one token per step from the KV cache,
/// sampled, detokenized without breaking UTF-8 characters and checked against stop sequences. The loop stops
/// at the next step when the caller cancels (or its deadline passes); a step already running is aborted
/// through RunOptions.Terminate. Disposing the runner frees the sequence's cache either way.
/// </summary>
public sealed class TextGenerator(
    GeneratorCatalog catalog,
    SequenceAdmission admission,
    GenerationRequestValidator validator,
    GenerationMetrics metrics,
    IHostApplicationLifetime lifetime)
{
    public GeneratorModel ResolveModel(string? name)
    {
        if (!catalog.IsLoaded)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "Generator models are still loading; retry shortly."));
        }
        var model = catalog.Find(name);
        if (model is not null)
        {
            return model;
        }
        if (!string.IsNullOrEmpty(name) && catalog.FailureOf(name) is { } failure)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"Model '{name}' failed to load: {failure}"));
        }
        var loaded = catalog.Models.Count == 0 ? "none" : string.Join(", ", catalog.Models.Keys.Order(StringComparer.Ordinal));
        throw new RpcException(new Status(StatusCode.NotFound, string.IsNullOrEmpty(name)
            ? $"No text-generation model is loaded from {catalog.RepositoryPath}."
            : $"Model '{name}' is not a loaded text-generation model (loaded: {loaded})."));
    }

    public IReadOnlyList<int> EncodePrompt(GeneratorModel model, string prompt)
    {
        if (string.IsNullOrEmpty(prompt))
        {
            throw GenerationRequestValidator.Invalid("prompt must not be empty.");
        }
        return model.Tokenizer.Encode(prompt);
    }

    /// <summary>The conversation as the model's chat template renders it, ending with the assistant's turn.</summary>
    public string RenderChat(GeneratorModel model, IReadOnlyList<ChatMessage> messages)
    {
        GenerationRequestValidator.ValidateMessages(messages);
        ChatTemplate template;
        try
        {
            template = model.ParsedChatTemplate;
        }
        catch (ChatTemplateException ex)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"The chat template of model '{model.Name}' is outside the supported Jinja subset: {ex.Message}"));
        }
        try
        {
            return template.Render(messages.Select(m => (m.Role, m.Content)), addGenerationPrompt: true, model.TemplateVariables);
        }
        catch (ChatTemplateException ex)
        {
            throw GenerationRequestValidator.Invalid($"The chat template of model '{model.Name}' cannot render these messages: {ex.Message}");
        }
    }

    public SamplingParameters ResolveParameters(GeneratorModel model, GenerationParameters? parameters, int promptTokens) =>
        validator.Resolve(model, parameters, promptTokens);

    public async IAsyncEnumerable<GenerationStep> GenerateAsync(GeneratorModel model, IReadOnlyList<int> promptIds,
        SamplingParameters parameters, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var arrival = Stopwatch.GetTimestamp();
        using var slot = await admission.EnterAsync(model.Name, cancellationToken);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        using var runOptions = new RunOptions();
        using var abort = stop.Token.Register(() => runOptions.Terminate = true);
        using var runner = model.CreateRunner(runOptions);

        var sampler = new TokenSampler(parameters, model.VocabularySize, promptIds);
        var utf8 = new Utf8StreamDecoder();
        var stops = new StopSequenceMatcher(parameters.StopSequences);
        var eos = model.Defaults.EosTokenIds;
        metrics.Prefilled(model.Name, promptIds.Count);

        var input = promptIds.Select(id => (long)id).ToArray();
        var generated = 0;
        long firstTokenAt = 0, lastTokenAt = 0;
        var finish = FinishReasons.Length;
        try
        {
            while (generated < parameters.MaxNewTokens)
            {
                if (stop.IsCancellationRequested)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    finish = FinishReasons.Cancelled; // the server is stopping: end the stream cleanly
                    break;
                }
                var next = Step(runner, sampler, input, stop.Token, cancellationToken);
                if (next < 0)
                {
                    finish = FinishReasons.Cancelled;
                    break;
                }
                generated++;
                var now = Stopwatch.GetTimestamp();
                if (generated == 1)
                {
                    firstTokenAt = now;
                    metrics.FirstToken(model.Name, Stopwatch.GetElapsedTime(arrival, now));
                }
                else
                {
                    metrics.NextToken(model.Name, Stopwatch.GetElapsedTime(lastTokenAt, now));
                }
                lastTokenAt = now;
                input = [next];

                if (!parameters.IgnoreEos && eos.Contains(next))
                {
                    finish = FinishReasons.Stop;
                    yield return new GenerationStep(string.Empty, next);
                    break;
                }
                var text = model.Tokenizer.IsSpecial(next) ? string.Empty : utf8.Append(model.Tokenizer.TokenBytes(next));
                var emit = stops.Append(text);
                yield return new GenerationStep(emit, next);
                if (stops.Matched is not null)
                {
                    finish = FinishReasons.Stop;
                    break;
                }
            }

            var rest = stops.Matched is null ? stops.Append(utf8.Flush()) + stops.Flush() : string.Empty;
            if (stops.Matched is not null)
            {
                finish = FinishReasons.Stop;
            }
            var total = Stopwatch.GetElapsedTime(arrival);
            var decodeSeconds = generated > 1 ? Stopwatch.GetElapsedTime(firstTokenAt, lastTokenAt).TotalSeconds : 0;
            yield return new GenerationStep(rest, null, new GenerationResult(
                finish,
                promptIds.Count,
                generated,
                generated > 0 ? Stopwatch.GetElapsedTime(arrival, firstTokenAt) : TimeSpan.Zero,
                decodeSeconds > 0 ? (generated - 1) / decodeSeconds : 0,
                total,
                stops.Matched,
                parameters.Seed));
        }
        finally
        {
            if (cancellationToken.IsCancellationRequested)
            {
                finish = FinishReasons.Cancelled;
            }
            metrics.Finished(model.Name, finish, Stopwatch.GetElapsedTime(arrival), generated);
        }
    }

    /// <summary>One decoder step and the sampled token; -1 when the server stopped it mid-run.</summary>
    private static int Step(IDecoderRunner runner, TokenSampler sampler, long[] input, CancellationToken stop, CancellationToken caller)
    {
        try
        {
            return sampler.Next(runner.Forward(input));
        }
        catch (OnnxRuntimeException) when (stop.IsCancellationRequested)
        {
            // RunOptions.Terminate aborted the run.
            caller.ThrowIfCancellationRequested();
            return -1;
        }
    }
}
