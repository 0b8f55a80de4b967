// Each integration collection starts the whole stack; on a 2-core machine two stacks at once would only slow both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
