using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MlStack.Dashboard.Services.SignIn;

namespace Microsoft.Extensions.Hosting;

public static class SignInExtensions
{
    public const string SignInPath = "/signin";
    public const string SignOutPath = "/signout";
    public const string CookieName = "mlstack-dashboard";

    /// <summary>Cookie authentication with one access key; whether pages require it is Dashboard:RequireSignIn.</summary>
    public static WebApplicationBuilder AddDashboardSignIn(this WebApplicationBuilder builder)
    {
        builder.AddValidatedOptions<SignInOptions>(SignInOptions.SectionName);
        builder.Services.AddSingleton<AccessKeyVerifier>();
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = SignInPath;
                options.Cookie.Name = CookieName;
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Strict;
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
            });
        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        return builder;
    }

    public static bool RequiresSignIn(this WebApplication app) =>
        app.Configuration.GetSection(SignInOptions.SectionName).Get<SignInOptions>()?.RequireSignIn ?? true;

    /// <summary>Pages and their endpoints require a signed-in user when sign-in is on.</summary>
    public static TBuilder RequireSignInWhenEnabled<TBuilder>(this TBuilder endpoints, WebApplication app) where TBuilder : IEndpointConventionBuilder =>
        app.RequiresSignIn() ? endpoints.RequireAuthorization() : endpoints;

    /// <summary>The cookie a successful sign-in issues.</summary>
    public static Task SignInAsync(HttpContext http) =>
        http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "dashboard user")], CookieAuthenticationDefaults.AuthenticationScheme)),
            new AuthenticationProperties { IsPersistent = true });

    /// <summary>POST /signout (antiforgery-checked form post) ends the session.</summary>
    public static IEndpointConventionBuilder MapSignOut(this WebApplication app) =>
        app.MapPost(SignOutPath, async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect(SignInPath);
        });
}
