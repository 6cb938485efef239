using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ModelCheck.Bench.ExplorerBenchmarks).Assembly).Run(args);
