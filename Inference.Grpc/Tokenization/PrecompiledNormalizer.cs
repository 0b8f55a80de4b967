using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace MlStack.Inference.Tokenization;

/// <summary>
/// tokenizer.json's "Precompiled" normalizer: a SentencePiece model's own normalization rules (precompiled_charsmap,
/// e.g. nmt_nfkc), a Darts double-array trie from UTF-8 byte strings to their replacements. Run as the HuggingFace
/// library runs it: each grapheme cluster shorter than 6 UTF-8 bytes is looked up whole, otherwise (or when it has no
/// rule) each of its characters; a lookup takes the first rule whose key is a prefix of the bytes. Written here:
/// Microsoft.ML.Tokenizers applies a charsmap only inside its SentencePieceTokenizer's whole normalization (with
/// SentencePiece's own whitespace rules), not as this one step of a normalizer sequence.
/// </summary>
public sealed class PrecompiledNormalizer : TextNormalizer
{
    private readonly uint[] _trie;
    private readonly byte[] _replacements;

    public PrecompiledNormalizer(byte[] charsmap)
    {
        if (charsmap.Length < 4) throw new InvalidDataException("tokenizer.json: the Precompiled charsmap is shorter than its header.");
        var trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(charsmap);
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > charsmap.Length - 4)
            throw new InvalidDataException($"tokenizer.json: the Precompiled charsmap's trie size {trieBytes} does not fit its {charsmap.Length} bytes.");
        _trie = new uint[trieBytes / 4];
        for (var i = 0; i < _trie.Length; i++) _trie[i] = BinaryPrimitives.ReadUInt32LittleEndian(charsmap.AsSpan(4 + i * 4));
        _replacements = charsmap[(4 + (int)trieBytes)..];
    }

    public static PrecompiledNormalizer FromBase64(string? charsmap)
    {
        try
        {
            return new PrecompiledNormalizer(Convert.FromBase64String(charsmap ?? ""));
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException("tokenizer.json: the Precompiled charsmap is not base64.", ex);
        }
    }

    public override string Normalize(string text)
    {
        StringBuilder? output = null;
        var at = 0;
        while (at < text.Length)
        {
            var length = StringInfo.GetNextTextElementLength(text, at);
            var grapheme = text.AsSpan(at, length);
            if (Encoding.UTF8.GetByteCount(grapheme) < 6 && Transform(grapheme) is { } whole)
            {
                (output ??= new StringBuilder(text, 0, at, text.Length + 8)).Append(whole);
            }
            else
            {
                for (var i = 0; i < grapheme.Length;)
                {
                    var charLength = char.IsHighSurrogate(grapheme[i]) && i + 1 < grapheme.Length && char.IsLowSurrogate(grapheme[i + 1]) ? 2 : 1;
                    var part = grapheme.Slice(i, charLength);
                    if (Transform(part) is { } replaced) (output ??= new StringBuilder(text, 0, at + i, text.Length + 8)).Append(replaced);
                    else output?.Append(part);
                    i += charLength;
                }
            }
            at += length;
        }
        return output?.ToString() ?? text;
    }

    /// <summary>The replacement of the first (shortest) rule whose key begins <paramref name="chunk"/>, or null.</summary>
    private string? Transform(ReadOnlySpan<char> chunk)
    {
        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(chunk.Length)];
        bytes = bytes[..Encoding.UTF8.GetBytes(chunk, bytes)];
        var value = FirstPrefixValue(bytes);
        if (value < 0 || value >= _replacements.Length) return null;
        var end = Array.IndexOf(_replacements, (byte)0, value);
        return Encoding.UTF8.GetString(_replacements, value, (end < 0 ? _replacements.Length : end) - value);
    }

    // darts-clone's unit layout: bits 0-7 label, 8 has-leaf, 9 offset scale, 10-31 offset; a leaf unit holds the value.
    private int FirstPrefixValue(ReadOnlySpan<byte> key)
    {
        var node = (long)Offset(_trie[0]);
        foreach (var c in key)
        {
            if (c == 0) break;
            node ^= c;
            if ((ulong)node >= (ulong)_trie.Length) return -1;
            var unit = _trie[node];
            if ((unit & (0x80000000u | 0xFFu)) != c) return -1;
            node ^= Offset(unit);
            if ((ulong)node >= (ulong)_trie.Length) return -1;
            if (((unit >> 8) & 1) == 1) return (int)(_trie[node] & 0x7FFFFFFFu);
        }
        return -1;
    }

    private static uint Offset(uint unit) => (unit >> 10) << (int)((unit & (1u << 9)) >> 6);
}
