using MlStack.VectorStore.Extraction;

// The same program, started as the PDF extraction worker: reads one file in a process of its own (Extraction/).
if (PdfWorker.IsInvoked(args)) return PdfWorker.Run(args);

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddChromaClient();
builder.AddVectorStore();
builder.AddApiKeyAuthentication();

var app = builder.Build();

app.UseVectorStoreErrors();
app.UseAuthentication();
app.UseAuthorization();

app.MapDefaultEndpoints();
app.MapVectorStore();

app.Run();
return 0;

public partial class Program;
