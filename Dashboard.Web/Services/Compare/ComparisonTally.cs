using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MlStack.Dashboard.Services.AppData;

namespace MlStack.Dashboard.Services.Compare;

/// <summary>
/// The comparison votes, kept in the data folder (comparisons.json, written whole on every vote) so the tally
/// survives a restart; shown as win rates per pair and exported as CSV.
/// </summary>
public sealed class ComparisonTally(AppDataFolder data)
{
    public const string FileName = "comparisons.json";

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private readonly SemaphoreSlim _gate = new(1, 1);
    private List<ComparisonVote>? _votes;

    public event Action? Changed;

    public async Task RecordAsync(string a, string b, ComparisonWinner winner, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(a);
        ArgumentException.ThrowIfNullOrWhiteSpace(b);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            List<ComparisonVote> votes = [.. await LoadAsync(cancellationToken), new ComparisonVote(a, b, winner, DateTimeOffset.UtcNow)];
            await data.WriteAllTextAtomicallyAsync(FileName, JsonSerializer.Serialize(votes, Json), cancellationToken);
            _votes = votes;
        }
        finally
        {
            _gate.Release();
        }
        Changed?.Invoke();
    }

    public async Task<IReadOnlyList<PairTally>> PairsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return Summarize(await LoadAsync(cancellationToken));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Win rates per pair, most compared first.</summary>
    public static IReadOnlyList<PairTally> Summarize(IEnumerable<ComparisonVote> votes) =>
        [.. votes
            .GroupBy(v => string.CompareOrdinal(v.A, v.B) <= 0 ? (v.A, v.B) : (v.B, v.A))
            .Select(pair =>
            {
                var (first, second) = pair.Key;
                int firstWins = 0, secondWins = 0, ties = 0;
                foreach (var vote in pair)
                {
                    var winner = vote.Winner switch
                    {
                        ComparisonWinner.A => vote.A,
                        ComparisonWinner.B => vote.B,
                        _ => null,
                    };
                    if (winner is null) ties++;
                    else if (winner == first) firstWins++;
                    else secondWins++;
                }
                return new PairTally(first, second, firstWins, secondWins, ties);
            })
            .OrderByDescending(p => p.Total).ThenBy(p => p.First, StringComparer.Ordinal).ThenBy(p => p.Second, StringComparer.Ordinal)];

    public static string ToCsv(IEnumerable<PairTally> pairs)
    {
        var csv = new StringBuilder("model_a,model_b,a_wins,b_wins,ties,total,a_win_rate,b_win_rate,tie_rate\n");
        foreach (var p in pairs)
        {
            csv.AppendJoin(',', Field(p.First), Field(p.Second), p.FirstWins, p.SecondWins, p.Ties, p.Total,
                Rate(p.FirstWinRate), Rate(p.SecondWinRate), Rate(p.TieRate)).Append('\n');
        }
        return csv.ToString();
    }

    private async Task<List<ComparisonVote>> LoadAsync(CancellationToken cancellationToken)
    {
        if (_votes is not null)
        {
            return _votes;
        }
        var path = data.File(FileName);
        _votes = File.Exists(path)
            ? JsonSerializer.Deserialize<List<ComparisonVote>>(await File.ReadAllTextAsync(path, cancellationToken), Json) ?? []
            : [];
        return _votes;
    }

    private static string Rate(double rate) => rate.ToString("0.####", CultureInfo.InvariantCulture);

    /// <summary>RFC 4180 quoting, and no leading formula characters for spreadsheets.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && "=+-@".Contains(value[0]))
        {
            value = "'" + value;
        }
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }
}
