namespace MlStack.Inference.Generation;

/// <summary>
/// Finds stop sequences in streamed text. Text that might be the start of a stop sequence is held back
/// until it is clear whether it is one, so a stop sequence never leaks into the output.
/// </summary>
public sealed class StopSequenceMatcher(IReadOnlyList<string> stopSequences)
{
    private string _held = string.Empty;

    /// <summary>The stop sequence that was found, once one was.</summary>
    public string? Matched { get; private set; }

    /// <summary>Adds text; returns what may be emitted now. After a match, returns the text before it.</summary>
    public string Append(string text)
    {
        if (Matched is not null)
        {
            return string.Empty;
        }
        var buffer = _held + text;
        var first = -1;
        foreach (var stop in stopSequences)
        {
            var at = buffer.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
            {
                first = at;
                Matched = stop;
            }
        }
        if (first >= 0)
        {
            _held = string.Empty;
            return buffer[..first];
        }
        var keep = LongestSuffixThatStartsAStop(buffer);
        _held = buffer[(buffer.Length - keep)..];
        return buffer[..(buffer.Length - keep)];
    }

    /// <summary>The held-back text, at the end of a generation that no stop sequence ended.</summary>
    public string Flush()
    {
        var rest = Matched is null ? _held : string.Empty;
        _held = string.Empty;
        return rest;
    }

    private int LongestSuffixThatStartsAStop(string buffer)
    {
        var best = 0;
        foreach (var stop in stopSequences)
        {
            for (var len = Math.Min(stop.Length - 1, buffer.Length); len > best; len--)
            {
                if (buffer.AsSpan(buffer.Length - len).SequenceEqual(stop.AsSpan(0, len)))
                {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
