namespace MlStack.Dashboard.Components;

/// <summary>
/// The light/dark choice lives in a cookie (set by the page's script), so the server renders the chosen theme from
/// the first byte, without a flash of the other one.
/// </summary>
public static class ThemePreference
{
    public const string CookieName = "mlstack-theme";

    public static bool IsDark(HttpRequest request) => request.Cookies[CookieName] == "dark";
}
