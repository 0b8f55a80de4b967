using MlStack.Inference.Generation;
using System.Diagnostics;
using System.Text;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.GrpcServices;

/// <summary>The mlstack.inference.v1.TextGeneration gRPC service: messages with the new tokens and text, then the summary.</summary>
public sealed class TextGenerationService(TextGenerator generator, GeneratorCatalog catalog) : TextGeneration.TextGenerationBase
{
    public override Task Generate(GenerateRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context) =>
        WriteAsync(Stopwatch.GetTimestamp(), generator.StartChoices(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            User = request.User,
            Prompt = request.Prompt,
            Parameters = Parameters(request.Parameters),
        }, context.CancellationToken), responseStream, context);

    public override Task Chat(ChatRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context) =>
        WriteAsync(Stopwatch.GetTimestamp(), generator.StartChoices(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            User = request.User,
            Messages = [.. request.Messages.Select(m => new ChatTurn(m.Role, m.Content))],
            Parameters = Parameters(request.Parameters),
        }, context.CancellationToken), responseStream, context);

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        response.Models.AddRange(catalog.Loaded().Select(m => new GeneratorModelInfo
        {
            Name = m.Name,
            Version = m.VersionText,
            ContextLength = m.ContextLength,
            HasChatTemplate = m.ChatTemplates is not null,
            ExecutionProvider = m.Provider.ToString(),
            Description = m.Description,
        }));
        return Task.FromResult(response);
    }

    private static RequestedParameters Parameters(GenerationParameters? p) => p is null ? new() : new()
    {
        MaxNewTokens = p.HasMaxNewTokens ? p.MaxNewTokens : null,
        Temperature = p.HasTemperature ? p.Temperature : null,
        TopP = p.HasTopP ? p.TopP : null,
        TopK = p.HasTopK ? p.TopK : null,
        RepetitionPenalty = p.HasRepetitionPenalty ? p.RepetitionPenalty : null,
        Seed = p.HasSeed ? p.Seed : null,
        Stop = [.. p.Stop],
        IgnoreEos = p.IgnoreEos,
        PresencePenalty = p.HasPresencePenalty ? p.PresencePenalty : null,
        FrequencyPenalty = p.HasFrequencyPenalty ? p.FrequencyPenalty : null,
        LogitBias = p.LogitBias.Count > 0 ? p.LogitBias.ToDictionary(e => e.Key, e => e.Value) : null,
        Choices = p.HasN ? p.N : null,
        Logprobs = p.Logprobs,
        TopLogprobs = p.HasTopLogprobs ? p.TopLogprobs : null,
    };

    /// <summary>
    /// Decoding runs in the model's scheduler and never waits for the network: the first text goes out alone, at once,
    /// and after it whatever has accumulated while a message was being written goes out as the next message (one token
    /// per message while the writer keeps up). So an answer of more than one piece of text always streams as more
    /// than one message, however fast the server decodes. With n &gt; 1 each wake-up sends one message per choice that
    /// has something, in index order.
    /// </summary>
    private static async Task WriteAsync(long received, GenerationChoices choices, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        using (choices)
        {
            try
            {
                var n = choices.Streams.Count;
                TimeSpan? firstMessage = null;
                var textSent = new bool[n];
                var texts = Enumerable.Range(0, n).Select(_ => new StringBuilder()).ToArray();
                var messages = new GenerateResponse?[n];
                while (await choices.WaitToReadAsync())
                {
                    while (choices.TryRead(out var index, out var step))
                    {
                        var message = messages[index] ??= new GenerateResponse { Index = index };
                        texts[index].Append(step.Text);
                        if (step.TokenId is { } id)
                        {
                            message.TokenIds.Add(id);
                        }
                        if (step.Logprobs is { } logprobs)
                        {
                            message.Logprobs.Add(ToLogprob(choices.Model.Tokenizer, logprobs));
                        }
                        if (step.Result is { } result)
                        {
                            message.Summary = ToSummary(choices.Model, result);
                        }
                        if (n == 1 && !textSent[index] && texts[index].Length > 0) break;
                    }
                    for (var i = 0; i < n; i++)
                    {
                        if (messages[i] is not { } message)
                        {
                            continue;
                        }
                        messages[i] = null;
                        textSent[i] |= texts[i].Length > 0;
                        message.Text = texts[i].ToString();
                        texts[i].Clear();
                        firstMessage ??= Stopwatch.GetElapsedTime(received);
                        if (message.Summary is { } summary)
                        {
                            summary.TimeToFirstMessageMs = firstMessage.Value.TotalMilliseconds;
                        }
                        await responseStream.WriteAsync(message, context.CancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The client went away or its deadline passed: the sequences left their batch.
                var deadlinePassed = context.Deadline <= DateTime.UtcNow;
                throw new RpcException(new Status(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                    deadlinePassed ? "The deadline passed during generation." : "The call was cancelled during generation."));
            }
        }
    }

    private static V1.TokenLogprob ToLogprob(ModelTokenizer tokenizer, TokenLogprobs logprobs)
    {
        var entry = new V1.TokenLogprob { TokenId = logprobs.Token, Token = TokenSpelling.Text(tokenizer, logprobs.Token), Logprob = logprobs.Logprob };
        entry.TopLogprobs.AddRange(logprobs.Top.Select(t => new V1.TokenLogprob { TokenId = t.Token, Token = TokenSpelling.Text(tokenizer, t.Token), Logprob = t.Logprob }));
        return entry;
    }

    private static GenerationSummary ToSummary(GeneratorModel model, GenerationResult result) => new()
    {
        FinishReason = result.FinishReason switch
        {
            FinishReasons.Stop => FinishReason.Stop,
            FinishReasons.Length => FinishReason.Length,
            _ => FinishReason.Cancelled,
        },
        Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens },
        Model = model.Name,
        ModelVersion = model.VersionText,
        TimeToFirstTokenMs = result.TimeToFirstToken.TotalMilliseconds,
        TokensPerSecond = result.TokensPerSecond,
        TotalTimeMs = result.Total.TotalMilliseconds,
        StopSequence = result.StopSequence ?? string.Empty,
        Seed = result.Seed,
    };
}
