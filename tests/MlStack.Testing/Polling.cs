namespace MlStack.Testing;

public static class Polling
{
    /// <summary>Asks until the answer is accepted or the time is up; returns the last answer either way.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> ask, Func<T, bool> accepted, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var answer = await ask();
            if (accepted(answer) || DateTime.UtcNow > deadline)
            {
                return answer;
            }
            await Task.Delay(interval ?? TimeSpan.FromSeconds(1));
        }
    }
}
