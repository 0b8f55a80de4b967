using MlStack.VectorStore.Auth;

namespace Microsoft.Extensions.Hosting;

public static class ApiKeyAuthExtensions
{
    /// <summary>API key authentication for the store's endpoints; health and metrics endpoints stay open.</summary>
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.AddApiKeyAuthentication<ApiKeyOptions>(ApiKeyOptions.Scheme, ApiKeyOptions.SectionName);
        builder.Services.AddAuthorization();
        return builder;
    }
}
