// Every test drives one browser against one whole stack; on a 2-core machine running them in parallel only slows both.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
