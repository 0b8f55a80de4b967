var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddOnnxRuntime();
builder.AddModelRepository();
builder.AddInferenceServices();
builder.AddTextGeneration();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapInferenceServices();
app.MapTextGeneration();

app.Run();

// Exposed for WebApplicationFactory-based tests.
public partial class Program;
