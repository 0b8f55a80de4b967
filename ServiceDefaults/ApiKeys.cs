using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Microsoft.Extensions.Hosting;

/// <summary>How MlStack services read and check the API keys their callers present.</summary>
public static class ApiKeys
{
    public const string BearerPrefix = "Bearer ";
    public const string ApiKeyHeader = "x-api-key";

    /// <summary>
    /// A constant-time comparison. Both keys are hashed first so the comparison also hides the expected key's length.
    /// </summary>
    public static bool Match(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    /// <summary>"Authorization: Bearer &lt;key&gt;", else "x-api-key: &lt;key&gt;" (HTTP headers or gRPC metadata); null when neither is sent.</summary>
    public static string? Presented(HttpRequest request)
    {
        if (Bearer(request) is { } bearer) return bearer;
        var header = request.Headers[ApiKeyHeader].ToString();
        return header.Length > 0 ? header.Trim() : null;
    }

    /// <summary>The key of "Authorization: Bearer &lt;key&gt;" (HTTP header or gRPC metadata); null when not sent.</summary>
    public static string? Bearer(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : null;
    }
}
