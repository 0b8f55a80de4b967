var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChromaClient();
builder.AddVectorStore();
builder.AddApiKeyAuthentication();

var app = builder.Build();

app.UseExceptionHandler();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapVectorStore();

app.Run();

public partial class Program;
