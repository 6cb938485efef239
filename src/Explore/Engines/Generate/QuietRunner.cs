using FsCheck;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace ModelCheck.Explore.Engines.Generate;

/// <summary>A quiet FsCheck runner: ModelCheck reports the outcome itself; it counts the shrink steps for progress.</summary>
internal sealed class QuietRunner : IRunner
{
    public int Shrinks { get; private set; }

    public void OnStartFixture(Type t)
    {
    }

    public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every)
    {
    }

    public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink) => Shrinks++;

    public void OnFinished(string name, TestResult result)
    {
    }
}
