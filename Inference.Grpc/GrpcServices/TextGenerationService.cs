using MlStack.Inference.Generation;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MlStack.Inference.Errors;
using MlStack.Inference.Generation.Constraints;
using Grpc.Core;
using MlStack.Inference.V1;

namespace MlStack.Inference.GrpcServices;

/// <summary>The mlstack.inference.v1.TextGeneration gRPC service: messages with the new tokens and text, then the summary.</summary>
public sealed class TextGenerationService(TextGenerator generator, GeneratorCatalog catalog) : TextGeneration.TextGenerationBase
{
    public override Task Generate(GenerateRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context) =>
        WriteAsync(Stopwatch.GetTimestamp(), generator.Start(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            Prompt = request.Prompt,
            Parameters = Parameters(request.Parameters),
            Constraint = Constraint(request.ResponseFormat),
        }, context.CancellationToken), responseStream, context);

    public override Task Chat(ChatRequest request, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context) =>
        WriteAsync(Stopwatch.GetTimestamp(), generator.Start(new GenerationRequest
        {
            Model = request.Model,
            Version = request.ModelVersion,
            ConversationKey = request.ConversationKey,
            Messages = [.. request.Messages.Select(m => new ChatTurn(m.Role, m.Content))],
            Parameters = Parameters(request.Parameters),
            Constraint = Constraint(request.ResponseFormat),
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

    /// <summary>response_format as the engine's constraint; an unknown type or a schema that is not JSON is INVALID_ARGUMENT.</summary>
    private static OutputConstraint? Constraint(ResponseFormat? format)
    {
        switch (format?.Type)
        {
            case null or "" or "text":
                if (!string.IsNullOrEmpty(format?.JsonSchema))
                {
                    throw InferenceException.Invalid("response_format.json_schema is set but response_format.type is not \"json_schema\".");
                }
                return null;
            case "json_object":
                return new OutputConstraint();
            case "json_schema":
                if (string.IsNullOrWhiteSpace(format.JsonSchema))
                {
                    throw InferenceException.Invalid("response_format.type is \"json_schema\" but response_format.json_schema is empty.");
                }
                try
                {
                    using var schema = JsonDocument.Parse(format.JsonSchema);
                    return new OutputConstraint { Schema = schema.RootElement.Clone(), Strict = format.Strict };
                }
                catch (JsonException error)
                {
                    throw InferenceException.Invalid($"response_format.json_schema is not JSON: {error.Message}");
                }
            default:
                throw InferenceException.Invalid($"response_format.type is '{Repository.ServingErrors.Shorten(format.Type)}'; expected text, json_object or json_schema.");
        }
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
    };

    /// <summary>
    /// Decoding runs in the model's scheduler and never waits for the network: the first text goes out alone, at once,
    /// and after it whatever has accumulated while a message was being written goes out as the next message (one token
    /// per message while the writer keeps up). So an answer of more than one piece of text always streams as more
    /// than one message, however fast the server decodes.
    /// </summary>
    private static async Task WriteAsync(long received, GenerationStream stream, IServerStreamWriter<GenerateResponse> responseStream, ServerCallContext context)
    {
        using (stream)
        {
            try
            {
                TimeSpan? firstMessage = null;
                var textSent = false;
                var text = new StringBuilder();
                while (await stream.WaitToReadAsync())
                {
                    var message = new GenerateResponse();
                    text.Clear();
                    while (stream.TryRead(out var step))
                    {
                        text.Append(step.Text);
                        if (step.TokenId is { } id)
                        {
                            message.TokenIds.Add(id);
                        }
                        if (step.Result is { } result)
                        {
                            message.Summary = ToSummary(stream.Model, result);
                        }
                        if (!textSent && text.Length > 0) break;
                    }
                    textSent |= text.Length > 0;
                    message.Text = text.ToString();
                    firstMessage ??= Stopwatch.GetElapsedTime(received);
                    if (message.Summary is { } summary)
                    {
                        summary.TimeToFirstMessageMs = firstMessage.Value.TotalMilliseconds;
                    }
                    await responseStream.WriteAsync(message, context.CancellationToken);
                }
            }
            catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
            {
                // The client went away or its deadline passed: the sequence left its batch.
                var deadlinePassed = context.Deadline <= DateTime.UtcNow;
                throw new RpcException(new Status(deadlinePassed ? StatusCode.DeadlineExceeded : StatusCode.Cancelled,
                    deadlinePassed ? "The deadline passed during generation." : "The call was cancelled during generation."));
            }
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
        ModelVersion = model.VersionText,
        TimeToFirstTokenMs = result.TimeToFirstToken.TotalMilliseconds,
        TokensPerSecond = result.TokensPerSecond,
        TotalTimeMs = result.Total.TotalMilliseconds,
        StopSequence = result.StopSequence ?? string.Empty,
        Seed = result.Seed,
    };
}
