var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGrpcServer();
builder.AddOnnxRuntime();
builder.AddModelRepository();
builder.AddTextGeneration();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcServer();
app.MapKServe();
app.MapEmbeddings();
app.MapTextGeneration();

app.Run();

// Exposed for WebApplicationFactory-based tests.
public partial class Program;
