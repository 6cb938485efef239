using FsCheck;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;

namespace ModelCheck.Explore.Generate;

/// <summary>A quiet FsCheck runner: ModelCheck reports the outcome itself.</summary>
internal sealed class QuietRunner : IRunner
{
    public void OnStartFixture(Type t)
    {
    }

    public void OnArguments(int ntest, FSharpList<object> args, FSharpFunc<int, FSharpFunc<FSharpList<object>, string>> every)
    {
    }

    public void OnShrink(FSharpList<object> args, FSharpFunc<FSharpList<object>, string> everyShrink)
    {
    }

    public void OnFinished(string name, TestResult result)
    {
    }
}
