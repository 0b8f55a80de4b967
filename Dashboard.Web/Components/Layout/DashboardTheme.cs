using MudBlazor;

namespace MlStack.Dashboard.Components.Layout;

/// <summary>MlStack's colours on MudBlazor's Material theme; text and backgrounds keep WCAG AA contrast in both palettes.</summary>
public static class DashboardTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#3949ab",
            Secondary = "#00796b",
            AppbarBackground = "#1f2937",
            AppbarText = "#ffffff",
            Background = "#f6f7fb",
            DrawerBackground = "#ffffff",
            TextSecondary = "rgba(0,0,0,0.68)",
            Success = "#1b7f3b",
            Warning = "#8a5a00",
            Error = "#c62828",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9fa8ff",
            PrimaryContrastText = "#0d1033",
            Secondary = "#4fd1c5",
            SecondaryContrastText = "#00201d",
            AppbarBackground = "#111827",
            AppbarText = "#f3f4f6",
            Background = "#171a21",
            Surface = "#1f232c",
            DrawerBackground = "#1b1f27",
            TextPrimary = "#e8eaf0",
            TextSecondary = "rgba(232,234,240,0.75)",
            Success = "#66d98a",
            Warning = "#ffc46b",
            Error = "#ff8a80",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DrawerWidthLeft = "220px", AppbarHeight = "56px" },
    };
}
