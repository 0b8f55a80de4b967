using Microsoft.ML.OnnxRuntime;
using MlStack.Inference.Generation;
using MlStack.Inference.Generation.Decoding;
using MlStack.Testing;

namespace MlStack.Inference.IntegrationTests.Generation.BuiltModels;

/// <summary>
/// Every layout of the model builder's tiny model served through the server's own path: the model repository
/// loads it, its GeneratorModel reads the layout, and its scheduler decodes greedy sequences, alone and batched.
/// </summary>
public sealed class BuiltTinyLayoutServingTests(BuiltTinyRepositoryHost host) : IClassFixture<BuiltTinyRepositoryHost>
{
    private const int NewTokens = 24;

    [Fact]
    public async Task Explore()
    {
        await host.ClientAsync();
        foreach (var layout in BuiltTinyRepositoryHost.Layouts)
        {
            GeneratorModel model;
            try { model = await host.ModelAsync(layout); }
            catch (Exception e) { Console.WriteLine($"{layout}: {e.Message}"); continue; }
            foreach (var reference in BuiltTinyRepositoryHost.References(layout))
            {
                var ids = await GenerateAsync(model, reference.Prompt);
                Console.WriteLine($"{layout} {model.Layout.Format} rows/step {model.Scheduler.RowsPerStep}: {(ids.SequenceEqual(reference.Generated) ? "SAME" : "DIFF")} {string.Join(",", ids)} | {string.Join(",", reference.Generated)}");
            }
        }
        foreach (var broken in new[] { BuiltTinyRepositoryHost.MissingDataModel, BuiltTinyRepositoryHost.TruncatedDataModel })
        {
            try { await host.ModelAsync(broken); Console.WriteLine($"{broken} loaded?!"); }
            catch (Exception e) { Console.WriteLine($"{broken}: {e.GetType().Name} {e.Message}"); }
        }
    }

    internal static async Task<int[]> GenerateAsync(GeneratorModel model, int[] prompt)
    {
        var sequence = model.Scheduler.Submit(prompt, Greedy(NewTokens));
        var ids = new List<int>();
        await foreach (var token in sequence.Tokens.ReadAllAsync())
        {
            ids.Add(token.Id);
        }
        return [.. ids];
    }

    internal static SamplingParameters Greedy(int maxNewTokens) => new(maxNewTokens, 0f, 1f, 0, 1f, 0, [], IgnoreEos: false);
}
