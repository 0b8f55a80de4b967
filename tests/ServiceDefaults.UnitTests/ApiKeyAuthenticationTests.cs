using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MlStack.ServiceDefaults.UnitTests;

/// <summary>
/// The one API-key scheme of both services, on a test server: the key as Bearer or as x-api-key, every key of the
/// service compared, the first that matches naming the caller, and a bare 401 for anything else.
/// </summary>
public sealed class ApiKeyAuthenticationTests
{
    private const string Key = "caller-key-0123456789";
    private const string AdminKey = "admin-key-0123456789";

    public sealed class TwoKeys : ApiKeySchemeOptions
    {
        public string ApiKey { get; set; } = "";
        public string? AdminKey { get; set; }

        public override IEnumerable<ApiKeyCaller> Callers() => [new("admin-key", AdminKey, "admin"), new("api-key", ApiKey)];
    }

    private static async Task<WebApplication> StartAsync(string? adminKey = AdminKey)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["Keys:ApiKey"] = Key;
        builder.Configuration["Keys:AdminKey"] = adminKey;
        builder.AddApiKeyAuthentication<TwoKeys>("Keys", "Keys");
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/who", (ClaimsPrincipal user) => $"{user.Identity!.Name} admin={user.IsInRole("admin")}").RequireAuthorization();
        await app.StartAsync();
        return app;
    }

    private static async Task<HttpResponseMessage> CallAsync(WebApplication app, string? header, string? value)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/who");
        if (header is not null) request.Headers.TryAddWithoutValidation(header, value);
        return await app.GetTestClient().SendAsync(request);
    }

    [Theory]
    [InlineData("Authorization", "Bearer " + Key, "api-key admin=False")]
    [InlineData("x-api-key", Key, "api-key admin=False")]
    [InlineData("Authorization", "Bearer " + AdminKey, "admin-key admin=True")]
    [InlineData("x-api-key", AdminKey, "admin-key admin=True")]
    public async Task The_key_is_taken_as_bearer_or_as_x_api_key_and_names_its_caller(string header, string value, string caller)
    {
        await using var app = await StartAsync();

        using var response = await CallAsync(app, header, value);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(caller, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Authorization", "Bearer wrong-key-0123456789")]
    [InlineData("x-api-key", "wrong-key-0123456789")]
    [InlineData("Authorization", "Basic " + Key)]
    [InlineData("x-api-key", Key + "x")]
    public async Task Anything_else_gets_a_bare_401(string? header, string? value)
    {
        await using var app = await StartAsync();

        using var response = await CallAsync(app, header, value);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unset_key_is_switched_off_and_matches_nothing()
    {
        await using var app = await StartAsync(adminKey: null);

        using var admin = await CallAsync(app, "x-api-key", AdminKey);
        using var caller = await CallAsync(app, "x-api-key", Key);

        Assert.Equal(HttpStatusCode.Unauthorized, admin.StatusCode);
        Assert.Equal("api-key admin=False", await caller.Content.ReadAsStringAsync());
    }
}
