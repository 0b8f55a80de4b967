using System.Buffers;
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
/// fast the server decodes. With n &gt; 1 the choices interleave as OpenAI's do: each chunk carries one choice,
/// named by its index, in index order within a wake-up; usage (every choice's tokens) comes once all have finished.
/// </summary>
public static class OpenAIStreamWriter
{
    private static readonly byte[] Data = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <param name="tools">
    /// Per choice, reads the answer for tool calls: content streams as it is released, then each call's id and name and
    /// its arguments in pieces, a piece per token, as the reader gives them (whole at the end for parsers that do not
    /// read partial calls).
    /// </param>
    public static async Task WriteAsync(HttpResponse response, GenerationChoices choices, OpenAIJson.Answer answer, bool includeUsage, bool logprobs,
        CancellationToken cancellationToken, IReadOnlyList<ToolCallReader?>? tools = null)
    {
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // proxies such as nginx must not hold events back
        await response.StartAsync(cancellationToken);
        var output = response.BodyWriter;
        var n = choices.Streams.Count;
        var texts = Enumerable.Range(0, n).Select(_ => new System.Text.StringBuilder()).ToArray();
        var placed = Enumerable.Range(0, n).Select(_ => new List<OpenAIJson.PlacedLogprobs>()).ToArray();
        var results = new GenerationResult?[n];
        var first = Enumerable.Repeat(true, n).ToArray();
        var offsets = new int[n];
        var deltas = Enumerable.Range(0, n).Select(_ => new List<ToolCallDelta>()).ToArray();
        var completionTokens = 0;
        var finished = 0;
        var tokenizer = choices.Model.Tokenizer;
        try
        {
            while (await choices.WaitToReadAsync())
            {
                var ended = new GenerationResult?[n];
                while (choices.TryRead(out var i, out var step))
                {
                    if (logprobs && step.Logprobs is { } l) placed[i].Add(new(l, offsets[i] + texts[i].Length));
                    if (tools?[i] is { } reader)
                    {
                        texts[i].Append(reader.Append(step));
                        deltas[i].AddRange(reader.TakeCallDeltas());
                    }
                    else texts[i].Append(step.Text);
                    ended[i] ??= step.Result;
                    if (n == 1 && first[i] && texts[i].Length > 0) break;
                }
                for (var i = 0; i < n; i++)
                {
                    var text = texts[i];
                    var calls = ended[i] is not null ? tools?[i]?.Finish() : null;
                    text.Append(calls?.Content);
                    if (calls is not null) deltas[i].AddRange(tools![i]!.TakeCallDeltas(calls));
                    if (text.Length > 0 || placed[i].Count > 0 || ((ended[i] is not null || deltas[i].Count > 0) && first[i] && answer.Chat))
                    {
                        var part = new OpenAIJson.ChoicePart(i, text.ToString(), first[i], null, logprobs ? [.. placed[i]] : null);
                        Event(output, o => OpenAIJson.WriteAnswer(o, answer, tokenizer, [part], null));
                        first[i] = false;
                        offsets[i] += text.Length;
                        text.Clear();
                        placed[i].Clear();
                    }
                    foreach (var delta in deltas[i])
                    {
                        var choice = i;
                        Event(output, o => OpenAIJson.WriteToolCallDelta(o, answer, choice, delta));
                    }
                    deltas[i].Clear();
                    if (ended[i] is not { } result)
                    {
                        continue;
                    }
                    results[i] = result;
                    completionTokens += result.CompletionTokens;
                    finished++;
                    var usage = finished == n ? new OpenAIJson.UsageCounts(choices.PromptTokens, completionTokens, result.CachedPromptTokens) : null;
                    var last = new OpenAIJson.ChoicePart(i, null, false, OpenAIJson.FinishReason(result, calls), null);
                    Event(output, o => OpenAIJson.WriteAnswer(o, answer, tokenizer, [last], includeUsage ? null : usage));
                    if (includeUsage && usage is not null)
                    {
                        Event(output, o => OpenAIJson.WriteAnswer(o, answer, tokenizer, [], usage));
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
