using System.Text;

namespace MlStack.Inference.Generation;

/// <summary>
/// Turns a stream of byte-level tokens into text without ever emitting half a character: bytes of a
/// multi-byte UTF-8 sequence that is not complete yet are held back until the next token completes it.
/// </summary>
public sealed class Utf8StreamDecoder
{
    private readonly List<byte> _pending = [];

    /// <summary>Adds bytes and returns the text of every complete character so far (possibly empty).</summary>
    public string Append(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _pending.Add(b);
        }
        var complete = CompletePrefixLength(_pending);
        if (complete == 0)
        {
            return string.Empty;
        }
        var text = Encoding.UTF8.GetString(_pending.GetRange(0, complete).ToArray());
        _pending.RemoveRange(0, complete);
        return text;
    }

    /// <summary>Whatever is held back, decoded as is (a truncated character becomes U+FFFD).</summary>
    public string Flush()
    {
        var text = Encoding.UTF8.GetString(_pending.ToArray());
        _pending.Clear();
        return text;
    }

    /// <summary>Length of the longest prefix that does not end inside an unfinished multi-byte sequence.</summary>
    internal static int CompletePrefixLength(IReadOnlyList<byte> bytes)
    {
        var n = bytes.Count;
        // A sequence is at most 4 bytes: only the last 3 can belong to an unfinished one.
        for (var back = 1; back <= Math.Min(3, n); back++)
        {
            var b = bytes[n - back];
            if ((b & 0b1100_0000) == 0b1000_0000)
            {
                continue; // continuation byte: look further back for its lead byte
            }
            var needed = (b & 0b1110_0000) == 0b1100_0000 ? 2
                : (b & 0b1111_0000) == 0b1110_0000 ? 3
                : (b & 0b1111_1000) == 0b1111_0000 ? 4
                : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
