using MlStack.VectorStore.Auth;

namespace Microsoft.Extensions.Hosting;

public static class ApiKeyAuthExtensions
{
    /// <summary>API key authentication for the store's endpoints; health and metrics endpoints stay open.</summary>
    public static WebApplicationBuilder AddApiKeyAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyOptions.Scheme)
            .AddScheme<ApiKeyOptions, ApiKeyAuthenticationHandler>(ApiKeyOptions.Scheme, _ => { });
        builder.Services.AddOptions<ApiKeyOptions>(ApiKeyOptions.Scheme)
            .Bind(builder.Configuration.GetSection(ApiKeyOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddAuthorization();
        return builder;
    }
}
