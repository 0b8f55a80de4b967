using MlStack.Inference.Repository;

namespace MlStack.Inference.Generation.Scheduling;

/// <summary>The batching settings of one model version: its model.json "generation" object over the Generation section.</summary>
public sealed record SchedulerSettings(int MaxConcurrentSequences, int MaxWaitingRequests, long KvCacheTokens, int PrefillChunkTokens, bool IterationBatching)
{
    public static SchedulerSettings Resolve(GenerationSchedulingConfig? model, GenerationOptions service, int contextLength)
    {
        var running = model?.MaxConcurrentSequences is > 0 and var r ? r : service.MaxConcurrentSequences;
        var budget = model?.KvCacheTokens is > 0 and var k ? k : service.KvCacheTokens;
        return new SchedulerSettings(
            running,
            model?.MaxWaitingRequests ?? service.MaxWaitingRequests,
            budget > 0 ? budget : (long)running * contextLength,
            model?.PrefillChunkTokens is > 0 and var c ? c : service.PrefillChunkTokens,
            service.IterationBatching);
    }
}
