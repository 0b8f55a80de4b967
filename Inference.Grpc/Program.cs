using Microsoft.AspNetCore.Builder;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddGrpcServer();
builder.AddInferenceAuthentication();
builder.AddOnnxRuntime();
builder.AddModelRepository();
builder.AddKServe();
builder.AddEmbeddings();
builder.AddTextGeneration();
builder.AddHttpDoors();

var app = builder.Build();

app.UseInferenceAuthentication();

app.MapDefaultEndpoints();
app.MapGrpcServer();
app.MapKServe();
app.MapEmbeddings();
app.MapTextGeneration();
app.MapHttpDoors();

app.Run();

// Exposed for WebApplicationFactory-based tests.
public partial class Program;
