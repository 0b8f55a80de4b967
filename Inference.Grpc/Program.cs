var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGrpcServer();
builder.AddInferenceAuthentication();
builder.AddOnnxRuntime();
builder.AddModelRepository();
builder.AddTextGeneration();

var app = builder.Build();

app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapGrpcServer();
app.MapKServe();
app.MapEmbeddings();
app.MapTextGeneration();

app.Run();

// Exposed for WebApplicationFactory-based tests.
public partial class Program;
