using System.Text;
using System.Threading.Channels;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.Generation;

/// <summary>The mlstack.inference.v1.TextGeneration gRPC service: messages with the new tokens and text, then the summary.</summary>
public sealed class TextGenerationService(TextGenerator generator, GeneratorCatalog catalog) : TextGeneration.TextGenerationBase
{
    public override Task Generate(GenerateRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        var model = generator.ResolveModel(request.Model);
        var prompt = generator.EncodePrompt(model, request.Prompt);
        return StreamAsync(model, prompt, request.Parameters, responseStream, context);
    }

    public override Task Chat(ChatRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        var model = generator.ResolveModel(request.Model);
        var prompt = generator.EncodePrompt(model, generator.RenderChat(model, request.Messages));
        return StreamAsync(model, prompt, request.Parameters, responseStream, context);
    }

    public override Task<ListModelsResponse> ListModels(ListModelsRequest request, ServerCallContext context)
    {
        var response = new ListModelsResponse();
        response.Models.AddRange(catalog.Models.Values.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new GeneratorModelInfo
        {
            Name = m.Name,
            Version = m.Version,
            ContextLength = m.ContextLength,
            HasChatTemplate = m.ChatTemplate is not null,
            ExecutionProvider = m.Session.Provider.ToString(),
            Description = m.Description,
        }));
        return Task.FromResult(response);
    }

    /// <summary>
    /// Decoding runs on its own task and never waits for the network: steps go through a channel, and the
    /// writer sends whatever has accumulated as one message (one token per message while it keeps up).
    /// </summary>
    private async Task StreamAsync(GeneratorModel model, IReadOnlyList<int> prompt, GenerationParameters? parameters,
        IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        var sampling = generator.ResolveParameters(model, parameters, prompt.Count);
        var steps = Channel.CreateUnbounded<GenerationStep>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var decoding = Task.Run(async () =>
        {
            try
            {
                await foreach (var step in generator.GenerateAsync(model, prompt, sampling, context.CancellationToken))
                {
                    steps.Writer.TryWrite(step);
                }
                steps.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                steps.Writer.TryComplete(ex);
                throw;
            }
        });

        try
        {
            var text = new StringBuilder();
            while (await steps.Reader.WaitToReadAsync())
            {
                var message = new GenerateResponse();
                text.Clear();
                while (steps.Reader.TryRead(out var step))
                {
                    text.Append(step.Text);
                    if (step.TokenId is { } id)
                    {
                        message.TokenIds.Add(id);
                    }
                    if (step.Result is { } result)
                    {
                        message.Summary = ToSummary(model, result);
                    }
                }
                message.Text = text.ToString();
                await responseStream.WriteAsync(message, context.CancellationToken);
            }
            await decoding;
        }
        catch (Exception) when (!decoding.IsCompleted || decoding.IsFaulted || decoding.IsCanceled)
        {
            // The decoding task's own error (bad input, capacity, cancellation) is the call's outcome.
            await AwaitDecodingAsync(decoding, context);
            throw;
        }
    }

    private static async Task AwaitDecodingAsync(Task decoding, ServerCallContext context)
    {
        try
        {
            await decoding;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The client went away or its deadline passed: decoding stopped and the cache is freed.
            var deadlinePassed = context.Deadline <= DateTime.UtcNow;
            throw new RpcException(new Status(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                deadlinePassed ? "The deadline passed during generation." : "The call was cancelled during generation."));
        }
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
        ModelVersion = model.Version,
        TimeToFirstTokenMs = result.TimeToFirstToken.TotalMilliseconds,
        TokensPerSecond = result.TokensPerSecond,
        TotalTimeMs = result.Total.TotalMilliseconds,
        StopSequence = result.StopSequence ?? string.Empty,
        Seed = result.Seed,
    };
}
