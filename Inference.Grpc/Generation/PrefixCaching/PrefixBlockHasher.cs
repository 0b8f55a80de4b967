using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace MlStack.Inference.Generation.PrefixCaching;

/// <summary>
/// The keys of a prompt's blocks: the first block's key hashes a root (the model's name, version and load, and the
/// caller's cache salt if any) with its tokens; every later one hashes the previous key with its tokens. SHA-256,
/// cut to 128 bits: a key is a token-exact prefix, and salted and unsalted roots never meet.
/// </summary>
public static class PrefixBlockHasher
{
    /// <summary>The chain's root for one model load and one salt (null or empty: none).</summary>
    public static UInt128 Root(string model, string version, long load, string? salt)
    {
        // The salt is marked, so that no salt and an empty-looking one cannot produce the same bytes as a real salt.
        var text = string.IsNullOrEmpty(salt)
            ? $"mlstack-prefix\0{model}\0{version}\0{load}\0unsalted"
            : $"mlstack-prefix\0{model}\0{version}\0{load}\0salted\0{salt}";
        return Cut(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The key of the block of <paramref name="tokens"/> after the block (or root) keyed <paramref name="previous"/>.</summary>
    public static UInt128 Next(UInt128 previous, ReadOnlySpan<int> tokens)
    {
        Span<byte> input = stackalloc byte[16 + tokens.Length * sizeof(int)];
        BinaryPrimitives.WriteUInt128LittleEndian(input, previous);
        var ids = input[16..];
        for (var i = 0; i < tokens.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(ids[(i * sizeof(int))..], tokens[i]);
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, hash);
        return Cut(hash);
    }

    /// <summary>The keys of every full block of <paramref name="tokens"/>, first to last.</summary>
    public static UInt128[] Chain(UInt128 root, ReadOnlySpan<int> tokens, int blockTokens)
    {
        var keys = new UInt128[tokens.Length / blockTokens];
        var previous = root;
        for (var b = 0; b < keys.Length; b++)
        {
            previous = keys[b] = Next(previous, tokens.Slice(b * blockTokens, blockTokens));
        }
        return keys;
    }

    private static UInt128 Cut(ReadOnlySpan<byte> hash) => BinaryPrimitives.ReadUInt128LittleEndian(hash[..16]);
}
