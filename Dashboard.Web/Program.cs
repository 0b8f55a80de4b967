var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAppData();
builder.AddDashboardSignIn();
builder.AddServiceHealthOverview();
builder.AddChat();
builder.AddDocuments();
builder.AddPrometheusMetrics();
builder.AddUserInterface();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapUserInterface();

app.Run();

public partial class Program;
