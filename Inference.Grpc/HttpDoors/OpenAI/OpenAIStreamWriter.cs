using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.ToolCalls;
using MlStack.Inference.HttpDoors;

namespace MlStack.Inference.HttpDoors.OpenAI;

/// <summary>
/// A streamed answer as server-sent events: chunks with the new text, the last with the finish reason, then
/// <c>data: [DONE]</c>. Usage rides on the last chunk; with stream_options.include_usage it comes as OpenAI sends it
/// instead, in a chunk of its own with no choices. Decoding runs in the model's scheduler and never waits for the
/// network: the first text goes out alone, at once, and after it what accumulated while a chunk was being written goes
/// out as the next chunk. So an answer of more than one piece of text always streams as more than one chunk, however
/// fast the server decodes.
/// </summary>
public static class OpenAIStreamWriter
{
    private static readonly byte[] Data = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <param name="tools">Reads the answer for tool calls: content streams as it is released, the calls follow at the end.</param>
    public static async Task WriteAsync(HttpResponse response, GenerationStream stream, OpenAIJson.Answer answer, bool includeUsage,
        CancellationToken cancellationToken, ToolCallReader? tools = null)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies such as nginx must not hold events back
        await response.StartAsync(cancellationToken);
        var output = response.BodyWriter;
        var text = new StringBuilder();
        var first = true;
        try
        {
            while (await stream.WaitToReadAsync())
            {
                text.Clear();
                GenerationResult? result = null;
                while (stream.TryRead(out var step))
                {
                    text.Append(tools is null ? step.Text : tools.Append(step));
                    result ??= step.Result;
                    if (first && text.Length > 0) break;
                }
                var calls = result is not null ? tools?.Finish() : null;
                text.Append(calls?.Content);
                if (text.Length > 0 || (result is not null && first && answer.Chat))
                {
                    Event(output, o => OpenAIJson.WriteChoice(o, answer, text.ToString(), first, null, null));
                    first = false;
                }
                for (var i = 0; i < (calls?.Calls.Count ?? 0); i++)
                {
                    var (index, call) = (i, calls!.Calls[i]);
                    Event(output, o => OpenAIJson.WriteToolCallDelta(o, answer, index, call, header: true, ""));
                    Event(output, o => OpenAIJson.WriteToolCallDelta(o, answer, index, call, header: false, call.Arguments));
                }
                if (result is not null)
                {
                    Event(output, o => OpenAIJson.WriteChoice(o, answer, null, false, OpenAIJson.FinishReason(result, calls), includeUsage ? null : result));
                    if (includeUsage)
                    {
                        Event(output, o => OpenAIJson.WriteChoice(o, answer, null, false, null, result));
                    }
                }
                await output.FlushAsync(cancellationToken);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The status is sent already: the error goes out as an event, as OpenAI's servers do.
            Event(output, o => OpenAIJson.WriteError(o, HttpDoorError.From(error)));
        }
        output.Write(Done);
        await output.FlushAsync(cancellationToken);
    }

    private static void Event(System.IO.Pipelines.PipeWriter output, Action<System.IO.Pipelines.PipeWriter> write)
    {
        output.Write(Data);
        write(output);
        output.Write(EventEnd);
    }
}
