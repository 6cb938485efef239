using System.Runtime.InteropServices;

namespace ModelCheck.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM as a cancellation token for a long run: the run stops cleanly,
/// reports what it covered (and checkpoints, where it can), instead of dying with nothing.
/// </summary>
public sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration sigint, sigterm;

    public Interruption()
    {
        sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    public CancellationToken Token => source.Token;

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true; // not the default exit: the run ends itself
        source.Cancel();
    }

    public void Dispose()
    {
        sigint.Dispose();
        sigterm.Dispose();
        source.Dispose();
    }
}
