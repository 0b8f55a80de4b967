using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace MlStack.Dashboard.Services.SignIn;

/// <summary>Compares a presented key with the configured one in constant time (SHA-256 of both, then FixedTimeEquals).</summary>
public sealed class AccessKeyVerifier(IOptions<SignInOptions> options)
{
    public bool IsValid(string? presented)
    {
        var expected = options.Value.AccessKey;
        if (string.IsNullOrEmpty(presented) || string.IsNullOrEmpty(expected))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)),
            SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
    }
}
