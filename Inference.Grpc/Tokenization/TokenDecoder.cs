using System.Text;
using System.Text.Json;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "decoder": token strings back to text, each step over the whole list as the library's
/// decode_chain does. Supported: ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, WordPiece, Sequence.
/// </summary>
public abstract class TokenDecoder
{
    public abstract List<string> DecodeChain(List<string> tokens);

    /// <summary>
    /// One token's bytes for streaming: the per-token part of the chain (bytes, ▁ to space, &lt;0xXX&gt; to its byte);
    /// the whole-sequence steps (Strip of the first space, Fuse) only apply to <see cref="Decode"/>.
    /// </summary>
    public virtual byte[]? TokenBytes(string token) => null;

    public string Decode(List<string> tokens) => string.Concat(DecodeChain(tokens));

    public static TokenDecoder? Read(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.Null) return null;
        var type = TokenizerJson.TypeOf(node, "decoder");
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new Metaspace(node.GetProperty("replacement").GetString()!,
                !(node.TryGetProperty("prepend_scheme", out var scheme) ? scheme.GetString() == "never"
                    : node.TryGetProperty("add_prefix_space", out var add) && !add.GetBoolean())),
            "Replace" => new Replace(TokenizerJson.StringPattern(node, "decoder Replace"), node.GetProperty("content").GetString()!),
            "ByteFallback" => new ByteFallback(),
            "Fuse" => new Fuse(),
            "Strip" => new Strip(node.GetProperty("content").GetString()!, node.GetProperty("start").GetInt32(), node.GetProperty("stop").GetInt32()),
            "WordPiece" => new WordPiece(node.GetProperty("prefix").GetString()!, node.TryGetProperty("cleanup", out var c) && c.GetBoolean()),
            "Sequence" => new Sequence([.. node.GetProperty("decoders").EnumerateArray().Select(Read).OfType<TokenDecoder>()]),
            _ => throw TokenizerJson.Unsupported("decoder", type),
        };
    }

    private sealed class ByteLevelDecoder : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens)
        {
            var bytes = new List<byte>();
            foreach (var token in tokens) bytes.AddRange(TokenBytes(token));
            return [Encoding.UTF8.GetString(bytes.ToArray())];
        }

        public override byte[] TokenBytes(string token) => ByteLevel.Decode(token) ?? Encoding.UTF8.GetBytes(token);
    }

    private sealed class Metaspace(string replacement, bool stripFirstSpace) : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens) =>
            // As the library does: in the first token every replacement character is dropped, not only a leading one.
            [.. tokens.Select((token, i) => token.Replace(replacement, i == 0 && stripFirstSpace ? "" : " ", StringComparison.Ordinal))];

        public override byte[] TokenBytes(string token) => Encoding.UTF8.GetBytes(token.Replace(replacement, " ", StringComparison.Ordinal));
    }

    private sealed class Replace(string pattern, string content) : TokenDecoder
    {
        public string Apply(string token) => token.Replace(pattern, content, StringComparison.Ordinal);

        public override List<string> DecodeChain(List<string> tokens) => [.. tokens.Select(Apply)];
    }

    private sealed class ByteFallback : TokenDecoder
    {
        public static bool TryParse(string token, out byte value)
        {
            value = 0;
            return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out value);
        }

        public override List<string> DecodeChain(List<string> tokens)
        {
            var output = new List<string>(tokens.Count);
            var pending = new List<byte>();
            foreach (var token in tokens)
            {
                if (TryParse(token, out var b))
                {
                    pending.Add(b);
                    continue;
                }
                Flush(pending, output);
                output.Add(token);
            }
            Flush(pending, output);
            return output;
        }

        /// <summary>Bytes that are not valid UTF-8 become one U+FFFD per byte, as in the library.</summary>
        private static void Flush(List<byte> pending, List<string> output)
        {
            if (pending.Count == 0) return;
            try
            {
                output.Add(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(pending.ToArray()));
            }
            catch (DecoderFallbackException)
            {
                output.Add(new string('\uFFFD', pending.Count));
            }
            pending.Clear();
        }
    }

    private sealed class Fuse : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens) => [string.Concat(tokens)];
    }

    /// <summary>Per token: up to <c>start</c> leading and <c>stop</c> trailing copies of one character removed.</summary>
    private sealed class Strip(string content, int start, int stop) : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens) => [.. tokens.Select(StripOne)];

        private string StripOne(string token)
        {
            var from = 0;
            while (from < start && from < token.Length && token.AsSpan(from).StartsWith(content, StringComparison.Ordinal)) from += content.Length;
            var to = token.Length;
            for (var i = 0; i < stop && to - content.Length >= from && token.AsSpan(0, to).EndsWith(content, StringComparison.Ordinal); i++) to -= content.Length;
            return token[from..to];
        }
    }

    private sealed class WordPiece(string prefix, bool cleanup) : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens) =>
            [.. tokens.Select((token, i) =>
            {
                var text = i > 0 ? token.StartsWith(prefix, StringComparison.Ordinal) ? token[prefix.Length..] : " " + token : token;
                return cleanup ? Cleanup(text) : text;
            })];

        /// <summary>The library's cleanup of tokenization spaces.</summary>
        private static string Cleanup(string text) => text
            .Replace(" .", ".", StringComparison.Ordinal).Replace(" ?", "?", StringComparison.Ordinal)
            .Replace(" !", "!", StringComparison.Ordinal).Replace(" ,", ",", StringComparison.Ordinal)
            .Replace(" ' ", "'", StringComparison.Ordinal).Replace(" n't", "n't", StringComparison.Ordinal)
            .Replace(" 'm", "'m", StringComparison.Ordinal).Replace(" do not", " don't", StringComparison.Ordinal)
            .Replace(" 's", "'s", StringComparison.Ordinal).Replace(" 've", "'ve", StringComparison.Ordinal)
            .Replace(" 're", "'re", StringComparison.Ordinal);

        public override byte[] TokenBytes(string token) =>
            Encoding.UTF8.GetBytes(token.StartsWith(prefix, StringComparison.Ordinal) ? token[prefix.Length..] : " " + token);
    }

    private sealed class Sequence(IReadOnlyList<TokenDecoder> steps) : TokenDecoder
    {
        public override List<string> DecodeChain(List<string> tokens)
        {
            foreach (var step in steps) tokens = step.DecodeChain(tokens);
            return tokens;
        }

        public override byte[]? TokenBytes(string token)
        {
            foreach (var step in steps)
            {
                switch (step)
                {
                    case Replace replace: token = replace.Apply(token); break;
                    case ByteFallback when ByteFallback.TryParse(token, out var b): return [b];
                    default:
                        if (step.TokenBytes(token) is { } bytes) return bytes;
                        break;
                }
            }
            return Encoding.UTF8.GetBytes(token);
        }
    }
}
