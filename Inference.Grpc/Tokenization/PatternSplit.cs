namespace MlStack.Inference.Tokenization;

/// <summary>What a split does with the text its pattern matches (the library's SplitDelimiterBehavior).</summary>
public enum SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous }

/// <summary>The Split pre-tokenizer (and Digits, a Split on numeric characters), with the library's rules per behavior.</summary>
public sealed class PatternSplit(PatternSplit.IPattern pattern, SplitBehavior behavior, bool invert) : PreTokenizer
{
    public interface IPattern
    {
        List<(int Start, int Length)> Matches(string text);
    }

    public sealed class Regex(CodePointRegex regex) : IPattern
    {
        public List<(int Start, int Length)> Matches(string text) => regex.Matches(text);
    }

    public sealed class Literal(string literal) : IPattern
    {
        public List<(int Start, int Length)> Matches(string text)
        {
            var found = new List<(int, int)>();
            if (literal.Length == 0) return found;
            for (var at = text.IndexOf(literal, StringComparison.Ordinal); at >= 0; at = text.IndexOf(literal, at + literal.Length, StringComparison.Ordinal))
            {
                found.Add((at, literal.Length));
            }
            return found;
        }
    }

    public override void Split(string text, bool atStart, List<Piece> output)
    {
        // The whole text as alternating (start, end, isDelimiter) spans, as the library's find_matches gives them.
        var spans = new List<(int Start, int End, bool Delimiter)>();
        var at = 0;
        foreach (var (start, length) in pattern.Matches(text))
        {
            if (start > at) spans.Add((at, start, invert));
            spans.Add((start, start + length, !invert));
            at = start + length;
        }
        if (at < text.Length) spans.Add((at, text.Length, invert));

        var kept = new List<(int Start, int End)>(spans.Count);
        var previousDelimiter = false;
        switch (behavior)
        {
            case SplitBehavior.Removed:
                kept.AddRange(spans.Where(s => !s.Delimiter).Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.Isolated:
                kept.AddRange(spans.Select(s => (s.Start, s.End)));
                break;
            case SplitBehavior.MergedWithPrevious:
                foreach (var span in spans)
                {
                    if (span.Delimiter && !previousDelimiter && kept.Count > 0) kept[^1] = (kept[^1].Start, span.End);
                    else kept.Add((span.Start, span.End));
                    previousDelimiter = span.Delimiter;
                }
                break;
            case SplitBehavior.MergedWithNext:
                for (var i = spans.Count - 1; i >= 0; i--)
                {
                    var span = spans[i];
                    if (span.Delimiter && !previousDelimiter && kept.Count > 0) kept[^1] = (span.Start, kept[^1].End);
                    else kept.Add((span.Start, span.End));
                    previousDelimiter = span.Delimiter;
                }
                kept.Reverse();
                break;
            case SplitBehavior.Contiguous:
                for (var i = 0; i < spans.Count; i++)
                {
                    var span = spans[i];
                    if (i > 0 && span.Delimiter == previousDelimiter) kept[^1] = (kept[^1].Start, span.End);
                    else kept.Add((span.Start, span.End));
                    previousDelimiter = span.Delimiter;
                }
                break;
        }
        foreach (var (start, end) in kept)
        {
            if (end > start) output.Add(new Piece(text[start..end], atStart && start == 0));
        }
    }
}
